/** Swahili messages of the gate: the scanner page, its API's errors, and the attendance page. */
import type { enScanning } from './en-scanning.ts'

export const swScanning: Record<keyof typeof enScanning, string> = {
  'gate.tokenRefused': 'Tokeni ya skana ya simu hii haifai tena. Ingia tena kwenye simu hii.',
  'gate.badScan': 'Skani haikueleweka: kagua msimbo kisha ujaribu tena.',
  'gate.undoOtherDevice': 'Simu iliyoruhusu tiketi hii pekee ndiyo inaweza kutengua.',
  'gate.undoTooLate': 'Uingiaji huu hauwezi kutenguliwa tena (kutengua kunawezekana kwa dakika 2).',
  'audit.action.scan_undone': 'Uingiaji ulitenguliwa langoni',
  'audit.action.scanner_device_revoked': 'Simu ya skana ilisimamishwa',
}
