// The scanner's offline check, an ES module shared by the page (static/assets/gate-*.js) and the tests:
// the manifest (GET …/scanner-manifest) merged into a Map, and the verdict on a code from the server's own
// verifier (signed-code-*.js), the manifest's QR version and status, and this phone's own admissions.
const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
const hex = (a, o) => { let h = ''; for (let i = o; i < o + 8; i++) h += a[i].toString(16).padStart(2, '0'); return h }

/** Merges a manifest answer into `previous` (or starts afresh for a full one): ticket id prefix → [version, status, type]. */
export function mergeManifest(previous, answer, now = Date.now()) {
  const m = previous && !answer.full ? previous : { entries: new Map() }, t = b64(answer.tickets)
  for (let o = 0; o + 12 <= t.length; o += 12) m.entries.set(hex(t, o), [t[o + 8], t[o + 9], (t[o + 10] << 8) | t[o + 11]])
  return Object.assign(m, { cursor: answer.cursor, at: now, keys: answer.keys, types: answer.types, admitted: answer.admitted, expected: answer.expected })
}

/** The manifest's verifying keys, by key id. */
export async function importKeys(m) {
  const keys = new Map()
  for (const k of m.keys) keys.set(k.keyId, await crypto.subtle.importKey('raw', b64(k.publicKey), { name: 'Ed25519' }, true, ['verify']))
  return keys
}

const REFUSED = { wrong_event: 'other_event', malformed: 'malformed', future_dated: 'future_dated' }

/** The same answers as the server's (src/scanning/verdict.ts), from what the phone holds. */
export async function offlineVerdict(lib, m, keys, here, code, eventId) {
  if (!m) return { result: 'invalid', reason: 'not_issued' }
  const v = await lib.verifyTicketCode(code, (k) => keys.get(k), { eventId })
  if (!v.ok) return { result: 'invalid', reason: REFUSED[v.reason] || 'forged' }
  const id = v.claims.ticketId, e = m.entries.get(id.replace(/-/g, '').slice(0, 16))
  if (!e) return { result: 'invalid', reason: 'not_issued' }
  const ticket = { id, type: m.types[e[2]] || '' }, s = e[1]
  if (s === 3 || s === 6) return { result: 'cancelled', reason: s === 6 ? 'refunded' : 'cancelled', ticket }
  if (s === 5) return { result: 'unpaid', reason: 'not_paid', ticket }
  if (s === 4) return { result: 'transferred', reason: 'transferred', ticket }
  if (e[0] !== v.claims.qrVersion) return { result: 'transferred', reason: 'old_version', ticket }
  if (s === 2 || here.has(id)) return { result: 'duplicate', reason: 'already_used', ticket }
  return { result: 'valid', ticket }
}
