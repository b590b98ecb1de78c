/** English messages of the gate: the scanner page, its API's errors, and the attendance page. */
export const enScanning = {
  'gate.tokenRefused': 'This device’s scanner token is not valid any more. Sign in again on this phone.',
  'gate.badScan': 'The scan was not understood: check the code and try again.',
  'gate.undoOtherDevice': 'Only the phone that admitted this ticket can undo it.',
  'gate.undoTooLate': 'This admission can no longer be undone (undo works for 2 minutes).',
  'audit.action.scan_undone': 'Admission undone at the gate',
  'audit.action.scanner_device_revoked': 'Scanner phone stopped',
}
