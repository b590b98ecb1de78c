/** Jumbe za Kiswahili za dashibodi za mwandaaji na za jukwaa, upakuaji na ripoti maalum. */
import type { enAnalytics } from './en-analytics.ts'

export const swAnalytics: Record<keyof typeof enAnalytics, string> = {
  'analytics.filter.badDay': 'Tarehe ziwe siku halisi, zimeandikwa YYYY-MM-DD.',
  'analytics.filter.badId': 'Tukio hilo au aina hiyo ya tiketi si yako.',
  'analytics.filter.reversed': 'Mwanzo wa kipindi lazima uje kabla ya mwisho wake.',
  'analytics.filter.tooLong': 'Chagua kipindi kisichozidi siku {days}.',
}
