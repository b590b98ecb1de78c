/** English messages of the JSON API (/api/v1) that are not about one feature. */
export const enApi = {
  'api.unreadableJson': 'The request body is not valid JSON.',
  'api.unsupportedMediaType': 'Send the request body as JSON, with Content-Type: application/json.',
} as const
