// The scanner page's service worker (scope /scan/): the page and its files open with no connection.
// Files under /assets/ never change under their name, so they come from the cache first; the page itself
// comes from the network when it answers within 3 s, else from the cache.
const CACHE = 'tikiti-gate-1'
self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()))
// the page names what to keep (itself and its files) once the worker is running
self.addEventListener('message', (e) => {
  const list = (e.data && e.data.cache) || []
  const ours = list.filter((u) => typeof u === 'string' && new URL(u, location.href).origin === location.origin)
  e.waitUntil(caches.open(CACHE).then((c) => Promise.all(ours.map((u) => c.add(u).catch(() => {})))))
})
const late = (ms) => new Promise((_, no) => setTimeout(() => no(new Error('slow')), ms))
async function page(request) {
  const cache = await caches.open(CACHE), key = new URL(request.url).pathname
  try {
    const res = await Promise.race([fetch(request), late(3000)])
    if (res.ok && !res.redirected) await cache.put(key, res.clone())
    return res
  } catch {
    return (await cache.match(key)) || Response.error()
  }
}
async function file(request) {
  const hit = await caches.match(request)
  if (hit) return hit
  const res = await fetch(request)
  if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(request, copy)) }
  return res
}
self.addEventListener('fetch', (e) => {
  const r = e.request, url = new URL(r.url)
  if (r.method !== 'GET' || url.origin !== location.origin) return
  if (url.pathname.startsWith('/assets/')) e.respondWith(file(r))
  else if (r.mode === 'navigate' && url.pathname.startsWith('/scan/events/')) e.respondWith(page(r))
})
