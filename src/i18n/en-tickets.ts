/** English messages of inventory limits: hold caps, idempotency keys, capacity limits, uploads that do not decode. */
export const enTickets = {
  'upload.notDecodable': 'That image could not be read: the file is damaged or not really a PNG, JPEG or WebP. Export it again and upload the new file.',
  'reserve.weakKey': 'The Idempotency-Key must be a random key of at least 128 bits from a cryptographic generator: 22 to 200 base64url characters (A-Z, a-z, 0-9, - and _), 32 to 200 hexadecimal digits, or a version 4 UUID. Keys with a pattern are refused: other UUID versions, sequences such as abcdef, a repeated piece, or words and numbers such as order-2026-000001.',
  'reserve.tooManyHolds': 'You already hold tickets for this event in {count} unpaid holds. Pay for one or let one expire before holding more.',
  'reserve.tooManyPhoneHolds': 'This phone number is already paying for {count} holds for this event. Finish or cancel one of those payments first.',
  'events.pendingNoInventory': 'Your organiser account is waiting for approval. You can draft events, but ticket types and publishing open once a platform admin approves you.',
  'events.overPlatformMax': 'An event can have at most {max} tickets on this platform: {left} more can be added.',
} as const
