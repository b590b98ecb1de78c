/** English messages of inventory limits: hold caps, idempotency keys, capacity limits, uploads that do not decode. */
export const enTickets = {
  'upload.notDecodable': 'That image could not be read: the file is damaged or not really a PNG, JPEG or WebP. Export it again and upload the new file.',
  'reserve.weakKey': 'Without signing in, the Idempotency-Key must be a random key of at least 128 bits: 22 to 200 base64url characters (A-Z, a-z, 0-9, - and _) or 32 to 200 hexadecimal ones, for example a UUID without its dashes.',
  'reserve.tooManyHolds': 'You already hold tickets for this event in {count} unpaid holds. Pay for one or let one expire before holding more.',
  'reserve.tooManyPhoneHolds': 'This phone number is already paying for {count} holds for this event. Finish or cancel one of those payments first.',
  'events.pendingNoInventory': 'Your organiser account is waiting for approval. You can draft events, but ticket types and publishing open once a platform admin approves you.',
  'events.overPlatformMax': 'An event can have at most {max} tickets on this platform: {left} more can be added.',
} as const
