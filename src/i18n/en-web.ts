/** English messages of the pages' own furniture: labels added for accessibility and the like. */
export const enWeb = {
  'manage.poster.file': 'Poster image',
  'manage.template.file': 'Template file',
  'hold.orderTitle': 'Your order',
} as const
