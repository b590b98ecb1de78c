/**
 * Daraja's OAuth call (client credentials): the first thing every M-Pesa request needs, and what the
 * settings page's "test connection" runs. Token caching comes with the payment client.
 */
import { webFetch, type FetchFn } from '../lib/fetch.ts'

export const DARAJA_HOSTS = {
  sandbox: 'https://sandbox.safaricom.co.ke',
  production: 'https://api.safaricom.co.ke',
} as const

export type DarajaEnvironment = keyof typeof DARAJA_HOSTS

export class DarajaAuthError extends Error {
  constructor(readonly reason: 'rejected' | 'unreachable', message: string) {
    super(message)
    this.name = 'DarajaAuthError'
  }
}

export interface DarajaToken {
  accessToken: string
  expiresInSeconds: number
}

/** DARAJA_BASE_URL (a simulator or test server) overrides the host for every tenant. */
export function darajaBaseUrl(environment: DarajaEnvironment, override?: string): string {
  return (override ?? DARAJA_HOSTS[environment]).replace(/\/+$/, '')
}

export async function fetchDarajaToken(
  baseUrl: string,
  credentials: { consumerKey: string; consumerSecret: string },
  fetchFn: FetchFn = webFetch,
): Promise<DarajaToken> {
  let res: Response
  try {
    res = await fetchFn(`${baseUrl}/oauth/v1/generate?grant_type=client_credentials`, {
      method: 'GET',
      headers: { authorization: `Basic ${btoa(`${credentials.consumerKey}:${credentials.consumerSecret}`)}` },
      signal: AbortSignal.timeout(10_000),
      redirect: 'manual',
    })
  } catch {
    throw new DarajaAuthError('unreachable', 'Daraja could not be reached')
  }
  if (res.status !== 200) throw new DarajaAuthError('rejected', `Daraja refused the credentials (${res.status})`)
  const body = await res.json().catch(() => null) as { access_token?: unknown; expires_in?: unknown } | null
  // expires_in is a number in the documentation and a string in live answers
  const expires = Number(body?.expires_in)
  if (typeof body?.access_token !== 'string' || !body.access_token || !Number.isFinite(expires)) {
    throw new DarajaAuthError('rejected', 'Daraja answered without a token')
  }
  return { accessToken: body.access_token, expiresInSeconds: expires }
}
