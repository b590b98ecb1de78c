import type { enWeb } from './en-web.ts'

/** Swahili messages of the pages' own furniture. The type makes a missing key a compile error. */
export const swWeb: Record<keyof typeof enWeb, string> = {
  'manage.poster.file': 'Picha ya bango',
  'manage.template.file': 'Faili ya kiolezo',
  'hold.orderTitle': 'Oda yako',
}
