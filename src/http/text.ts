/**
 * Text as people send it may carry NUL and other control characters that Postgres refuses (or that
 * have no business in a name or a search). They are dropped wherever input is read; tabs and line
 * breaks stay.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g

export function cleanText(text: string): string {
  return text.replace(CONTROL, '')
}
