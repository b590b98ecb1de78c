/**
 * How the app reaches Daraja: the host (per tenant, or DARAJA_BASE_URL for everyone) and the fetch to
 * use (tests route it to the simulator). Clients are kept per credential set for the life of the
 * process or isolate, so their OAuth token cache outlives a request.
 */
import { createDarajaClient, type DarajaClient } from './daraja-client.ts'
import { webFetch, type FetchFn } from '../lib/fetch.ts'
import { darajaBaseUrl } from './daraja-oauth.ts'
import type { MpesaCredentials } from './mpesa-credentials.ts'

export interface DarajaAccess {
  /** DARAJA_BASE_URL: replaces the host for every tenant. */
  baseUrlOverride?: string
  fetch?: FetchFn
}

const clientsByFetch = new WeakMap<FetchFn, Map<string, DarajaClient>>()

/** The client for a tenant's credentials; the same object (and token) for the same credentials. */
export function darajaClientFor(access: DarajaAccess, credentials: MpesaCredentials): DarajaClient {
  const fetchFn = access.fetch ?? webFetch
  const baseUrl = darajaBaseUrl(credentials.environment, access.baseUrlOverride)
  const { secrets } = credentials
  const key = JSON.stringify([baseUrl, credentials.accountType, credentials.shortcode, credentials.b2cShortcode ?? '', secrets.consumerKey, secrets.consumerSecret,
    secrets.passkey, secrets.initiatorName ?? '', secrets.securityCredential ?? ''])
  let clients = clientsByFetch.get(fetchFn)
  if (!clients) clientsByFetch.set(fetchFn, clients = new Map())
  let client = clients.get(key)
  if (!client) {
    client = createDarajaClient({
      baseUrl, fetch: fetchFn,
      credentials: {
        consumerKey: secrets.consumerKey, consumerSecret: secrets.consumerSecret, passkey: secrets.passkey,
        shortcode: credentials.shortcode, accountType: credentials.accountType, b2cShortcode: credentials.b2cShortcode ?? undefined,
        initiatorName: secrets.initiatorName, securityCredential: secrets.securityCredential,
      },
    })
    clients.set(key, client)
  }
  return client
}
