/**
 * A tenant's M-Pesa (Daraja) credentials. Shortcode and settings are plain; the consumer key, consumer
 * secret and passkey are sealed together (AES-GCM, bound to the tenant) and never shown back: the page
 * shows only the last four characters of the consumer key.
 */
import { z } from 'zod'
import type { Queryable } from '../db/database.ts'
import { DomainError, SecretsNotConfiguredError } from '../lib/domain-errors.ts'
import { open, seal, type KeyRing } from '../lib/secret-box.ts'
import type { DarajaEnvironment } from './daraja-oauth.ts'

export interface MpesaSecrets {
  consumerKey: string
  consumerSecret: string
  passkey: string
  /** For refunds (Reversal): the initiator's name and its password encrypted with Safaricom's certificate. */
  initiatorName?: string
  securityCredential?: string
}

export interface MpesaCredentials {
  environment: DarajaEnvironment
  accountType: 'paybill' | 'till'
  shortcode: string
  /** The B2C shortcode payouts are paid from (B2C cannot pay from the paybill that takes STK payments). */
  b2cShortcode: string | null
  secrets: MpesaSecrets
}

const secret = z.string().trim().max(200, 'form.tooLong')

export const credentialsForm = z.object({
  environment: z.enum(['sandbox', 'production'], { message: 'form.invalid' }),
  accountType: z.enum(['paybill', 'till'], { message: 'form.invalid' }),
  shortcode: z.string().trim().regex(/^\d{5,7}$/, 'form.shortcode'),
  b2cShortcode: z.string().trim().regex(/^(\d{5,7})?$/, 'form.shortcode').optional().default(''),
  consumerKey: secret,
  consumerSecret: secret,
  passkey: secret,
  initiatorName: secret.optional().default(''),
  securityCredential: z.string().trim().max(2000, 'form.tooLong').optional().default(''),
})

export type CredentialsInput = z.output<typeof credentialsForm>

/** What the settings page may show: never a secret. */
export function describeCredentials(trx: Queryable, tenantId: string) {
  return trx.selectFrom('mpesa_credentials')
    .select(['environment', 'account_type', 'shortcode', 'b2c_shortcode', 'consumer_key_hint', 'key_id', 'updated_at'])
    .where('tenant_id', '=', tenantId).executeTakeFirst()
}

export async function saveCredentials(trx: Queryable, ring: KeyRing | undefined, tenantId: string, input: CredentialsInput, now: Date) {
  if (!ring) throw new SecretsNotConfiguredError()
  const typed = [input.consumerKey, input.consumerSecret, input.passkey].filter((value) => value !== '').length
  const initiatorTyped = input.initiatorName !== '' || input.securityCredential !== ''
  const existing = await describeCredentials(trx, tenantId)
  const plain = {
    environment: input.environment, account_type: input.accountType, shortcode: input.shortcode,
    b2c_shortcode: input.b2cShortcode || null, updated_at: now,
  }
  if (typed === 0 && !initiatorTyped && existing) {
    await trx.updateTable('mpesa_credentials').set(plain).where('tenant_id', '=', tenantId).execute()
    return
  }
  if (typed !== 3) throw new DomainError(422, 'secrets_required', 'mpesa.secretsRequired')
  if (input.initiatorName === '' !== (input.securityCredential === '')) throw new DomainError(422, 'initiator_incomplete', 'mpesa.initiatorIncomplete')
  const secrets: MpesaSecrets = {
    consumerKey: input.consumerKey, consumerSecret: input.consumerSecret, passkey: input.passkey,
    ...(input.initiatorName ? { initiatorName: input.initiatorName, securityCredential: input.securityCredential } : {}),
  }
  const sealed = {
    ...plain,
    encrypted_secrets: await seal(ring, JSON.stringify(secrets), tenantId),
    key_id: ring.activeKeyId,
    consumer_key_hint: input.consumerKey.slice(-4),
  }
  await trx.insertInto('mpesa_credentials').values({ tenant_id: tenantId, ...sealed })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(sealed)).execute()
}

/** The full credentials, for calling Daraja. Only server code ever sees the secrets. */
export async function loadCredentials(trx: Queryable, ring: KeyRing | undefined, tenantId: string): Promise<MpesaCredentials | undefined> {
  if (!ring) throw new SecretsNotConfiguredError()
  const row = await trx.selectFrom('mpesa_credentials').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst()
  if (!row) return undefined
  const secrets = JSON.parse(await open(ring, row.encrypted_secrets, tenantId)) as MpesaSecrets
  return { environment: row.environment, accountType: row.account_type, shortcode: row.shortcode, b2cShortcode: row.b2c_shortcode, secrets }
}
