import type { enApi } from './en-api.ts'

/** Swahili messages of the JSON API (/api/v1) that are not about one feature. */
export const swApi: Record<keyof typeof enApi, string> = {
  'api.unreadableJson': 'Maudhui ya ombi si JSON sahihi.',
  'api.unsupportedMediaType': 'Tuma maudhui ya ombi kama JSON, pamoja na Content-Type: application/json.',
}
