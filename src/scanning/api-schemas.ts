/** The gate's JSON shapes, for validation and the OpenAPI document. */
import { z } from '@hono/zod-openapi'

const scanFields = {
  code: z.string().min(1).max(400).openapi({ description: 'The text of the QR code, as read or typed (spaces and case are forgiven).' }),
  scanId: z.uuid().openapi({ description: 'A UUID the device makes for this attempt: a retry with the same one gets the first answer and records nothing new.' }),
  scannedAt: z.iso.datetime({ offset: true }).openapi({ description: 'When the scan happened, by the device’s clock.' }),
  deviceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).openapi({ description: 'The device’s own id (random, kept on the device).' }),
  gate: z.string().trim().max(60).optional(),
  location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }).optional(),
}

export const scanRequestSchema = z.object(scanFields).openapi('ScanRequest')

const outcome = z.enum(['valid', 'duplicate', 'invalid', 'transferred', 'cancelled', 'unpaid'])
const reason = z.enum(['malformed', 'forged', 'other_event', 'future_dated', 'not_issued', 'old_version', 'transferred',
  'cancelled', 'refunded', 'not_paid', 'already_used'])

export const scanAnswerSchema = z.object({
  result: outcome,
  reason: reason.optional(),
  ticket: z.object({ id: z.uuid(), type: z.string(), holderFirstName: z.string().optional() }).optional(),
  firstScan: z.object({ at: z.string(), gate: z.string().nullable(), deviceId: z.string().nullable() }).optional()
    .openapi({ description: 'For `duplicate`: when and where the ticket was first admitted.' }),
}).openapi('ScanAnswer')

export const syncRequestSchema = z.object({
  scans: z.array(z.object({
    ...scanFields,
    offlineResult: outcome.openapi({ description: 'What the device decided offline: `valid` means the holder went in.' }),
    offlineReason: reason.optional(),
  })).min(1).max(500),
}).openapi('ScanSyncRequest')

export const syncAnswerSchema = z.object({
  results: z.array(z.object({ scanId: z.uuid(), answer: scanAnswerSchema, replay: z.boolean() })),
}).openapi('ScanSyncAnswer')

export const undoRequestSchema = z.object({ deviceId: scanFields.deviceId }).openapi('ScanUndoRequest')

export const deviceTokenRequestSchema = z.object({
  deviceId: scanFields.deviceId,
  label: z.string().trim().max(80).optional(),
}).openapi('ScannerTokenRequest')

export const deviceTokenSchema = z.object({
  token: z.string().openapi({ description: 'Send as `Authorization: Bearer …` from this device. Revocable by the organiser’s managers.' }),
  expiresAt: z.string(),
}).openapi('ScannerToken')

export const manifestQuery = z.object({
  // a cursor is a time in milliseconds: past 8.64e15 (the last date JavaScript knows) it is no time at all
  since: z.string().regex(/^\d{1,16}$/).refine((value) => Number(value) <= 8.64e15).optional()
    .openapi({ description: 'The `cursor` of an earlier manifest: only tickets changed since.' }),
})

export const manifestSchema = z.object({
  eventId: z.uuid(),
  cursor: z.string().openapi({ description: 'Pass as `since` for the next delta.' }),
  full: z.boolean().openapi({ description: 'True when this is the whole list, false for a delta.' }),
  generatedAt: z.string(),
  keys: z.array(z.object({ keyId: z.number().int(), publicKey: z.string() })),
  types: z.record(z.string(), z.string()).openapi({ description: 'Ticket type names by their index in `tickets` records.' }),
  admitted: z.number().int(),
  expected: z.number().int(),
  tickets: z.string().openapi({
    description: 'base64url of 12-byte records: the ticket id’s first 8 bytes, QR version (u8), status (u8: 1 active, 2 used, ' +
      '3 cancelled, 4 transferred, 5 unpaid, 6 refunded), ticket type index (u16).',
  }),
}).openapi('ScannerManifest')
