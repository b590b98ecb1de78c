/**
 * The client's address when the server sits behind reverse proxies of our own (TRUST_PROXY, read by
 * readServerConfig in src/config.ts). Rate limits and hold caps count by this address, so the client
 * must not be able to choose it.
 */

/**
 * Each proxy appends the address it saw connecting to X-Forwarded-For, after whatever the request
 * already carried. Behind `proxyHops` proxies of ours, the entry that many places from the right is the
 * one our outermost proxy wrote: the client's address. Entries left of it came from the client itself
 * and are ignored. With no trusted proxy, a missing or short header (one of our proxies did not write
 * it), or an entry that is not an IP address, the socket's address counts.
 */
export function clientAddress(forwardedFor: string | null | undefined, socketAddress: string | undefined, proxyHops: number): string {
  const fallback = socketAddress ?? 'unknown'
  if (proxyHops < 1 || !forwardedFor) return fallback
  const entries = forwardedFor.split(',')
  if (entries.length < proxyHops) return fallback
  return ipAddress(entries[entries.length - proxyHops]!.trim()) ?? fallback
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`)
/** An entry with a port, as some proxies write it: `203.0.113.9:51234`, `[2001:db8::1]:443`. */
const WITH_PORT = /^(?:\[([^\]]*)\]|([\d.]+)):(\d{1,5})$/

/** The IP address an entry names, in one spelling (IPv6 as the URL standard writes it); undefined if none. */
function ipAddress(entry: string): string | undefined {
  const withPort = WITH_PORT.exec(entry)
  if (withPort && Number(withPort[3]) > 65535) return undefined
  const host = withPort ? (withPort[1] ?? withPort[2]!) : entry.replace(/^\[(.*)\]$/, '$1')
  if (IPV4.test(host)) return host
  if (!host.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(host)) return undefined
  try {
    return new URL(`http://[${host}]/`).hostname.slice(1, -1)
  } catch {
    return undefined
  }
}
