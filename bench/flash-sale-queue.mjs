/**
 * The flash-sale benchmark's buyer in the waiting room: a browser of its own (a cookie jar), which opens the
 * event's queue page `GET /events/{slug}/queue`, looks again when the page's meta refresh says (sped up by
 * QUEUE_SPEEDUP, default 5, so a run takes a minute rather than several), and once admitted (X-Queue-Status)
 * asks for its tickets through the API with its admission cookie. A queue that answers `sold_out`, or a page
 * saying no ticket is left (X-Tickets-Left: 0, every ticket held by a buyer paying), is a sold-out answer: the
 * buyer has learned it and goes, having cost the database no write. Every request's latency is kept, queue pages included.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { gunzipSync } from 'node:zlib'
import { request } from 'undici'

const speedup = Number(process.env.QUEUE_SPEEDUP ?? 5)

/** A cookie jar enough for the app's `__Host-` cookies (path /, no domain). */
function cookieJar() {
  const cookies = new Map()
  return {
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    take(res) {
      const set = res.headers['set-cookie'] ?? []
      for (const line of Array.isArray(set) ? set : [set]) {
        const [pair, ...attributes] = line.split(';')
        const at = pair.indexOf('=')
        const name = pair.slice(0, at).trim()
        const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a))
        if (gone) cookies.delete(name)
        else cookies.set(name, pair.slice(at + 1).trim())
      }
    },
  }
}

const refreshOf = (html) => Number(/http-equiv="refresh" content="(\d+)"/.exec(html)?.[1] ?? 5)

/** One buyer through the queue: { quantity, kind, requests: [{ ms, hold }] }. */
export async function queuedBuyer(base, sale, slug, runId, i, buyerAt) {
  const b = buyerAt(i, sale.types)
  const jar = cookieJar()
  const requests = []
  // undici's request() rather than fetch(): the load generator shares the two cores with the server, and
  // fetch costs it about twice the CPU a request; a browser's gzip is asked for and read as a browser would
  const timed = async (url, init, hold) => {
    const t0 = performance.now()
    const cookie = jar.header()
    const res = await request(url, { ...init, headers: { ...init?.headers, 'accept-encoding': 'gzip', ...(cookie ? { cookie } : {}) } })
    const raw = Buffer.from(await res.body.arrayBuffer())
    const body = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString()
    requests.push({ at: t0, ms: performance.now() - t0, hold })
    jar.take(res)
    return { res: { status: res.statusCode, headers: res.headers }, body }
  }
  for (let look = 0; look < 400; look++) {
    const { res, body } = await timed(`${base}/events/${slug}/queue`, undefined, false)
    const status = res.headers['x-queue-status']
    if (status === 'sold_out' || status === 'closed') return { quantity: 0, kind: 'sold_out', requests }
    if (status === 'admitted') {
      const hold = await timed(`${base}/api/v1/events/${sale.eventId}/reservations`, {
        method: 'POST', headers: { 'content-type': 'application/json', origin: base, 'idempotency-key': `queued-${i}-${runId}` },
        body: JSON.stringify({ items: [{ ticketTypeId: b.type, quantity: b.quantity }] }),
      }, true)
      const kind = hold.res.status === 201 ? 'held' : hold.res.status === 409 && hold.body.includes('sold_out') ? 'sold_out' : 'other'
      return { quantity: kind === 'held' ? b.quantity : 0, kind, requests, status: hold.res.status }
    }
    if (status !== 'waiting') return { quantity: 0, kind: 'other', requests, status: res.status }
    // every ticket held by someone paying: this buyer has learned there is nothing for now, and goes
    if (res.headers['x-tickets-left'] === '0') return { quantity: 0, kind: 'sold_out', requests }
    await sleep((refreshOf(body) * 1000) / speedup)
  }
  return { quantity: 0, kind: 'other', requests }
}

/** Clears the event's queue (the Postgres store) between runs. */
export async function resetQueue(sql, eventId) {
  await sql`delete from waiting_room_entries where event_id = ${eventId}`
  await sql`delete from waiting_room_gates where event_id = ${eventId}`
}
