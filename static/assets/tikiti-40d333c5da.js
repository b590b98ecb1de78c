// Tikiti's own browser code, loaded by <script src> (the CSP allows no inline script). Enhancement only:
// every page works without it. Buyers load it on 2G, so it stays tiny.
(() => {
  const tt = self.trustedTypes
  // Fragments come from our own server; Trusted Types let only these policies write HTML.
  const html = tt ? tt.createPolicy('tikiti', { createHTML: (s) => s }) : { createHTML: (s) => s }
  const later = (f, ms) => setTimeout(f, ms)

  // [data-poll]: every 3 s, fetch the URL as htmx would and swap the fragment in; HX-Redirect ends the wait.
  const poll = () => {
    const e = document.querySelector('[data-poll]')
    if (!e) return
    fetch(e.dataset.poll, { headers: { 'HX-Request': 'true' } }).then((r) => {
      const to = r.headers.get('HX-Redirect')
      if (to) return void (location.href = to)
      return r.text().then((h) => { e.outerHTML = html.createHTML(h); later(poll, 3e3) })
    }).catch(() => later(poll, 6e3))
  }
  later(poll, 3e3)

  // [data-remaining]: seconds left, shown through data-template's {time}; at zero the page reloads.
  const c = document.querySelector('[data-remaining]')
  if (c) {
    const end = Date.now() + 1e3 * +c.dataset.remaining
    const tick = () => {
      const s = Math.max(0, Math.round((end - Date.now()) / 1e3))
      c.textContent = c.dataset.template.replace('{time}', Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'))
      s ? later(tick, 1e3) : location.reload()
    }
    tick()
  }

  // htmx (portal pages) parses the fragments it swaps through its own policy, and settles without CSS
  // transitions (they copy style attributes, which the policy refuses).
  if (self.htmx) {
    htmx.config.defaultSettleDelay = 0
    if (tt) {
      htmx.registerExtension('tikiti-trusted-types', {
        init: (api) => api.initSecurity(tt.createPolicy('htmx', { createHTML: (s) => s, createScript: (s) => s })),
      })
    }
  }
})()
