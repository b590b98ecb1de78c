// The scanner page (views/scanning/gate-page.tsx), run by Alpine's CSP build. Online, the server decides
// (POST …/scans); when it does not answer within 3 s, or there is no connection, the phone checks the code
// itself with the server's own verifier (src/tickets/signed-code.ts, served as a module), the event's
// manifest and its own scans, and queues the scan, encrypted, for POST …/scans/sync.
(() => {
  const root = document.querySelector('[x-data=gate]')
  if (!root) return
  const ev = root.dataset.event, M = JSON.parse(root.dataset.messages), lang = document.documentElement.lang
  const fmt = (s, p) => s.replace(/\{(\w+)\}/g, (_, k) => p[k] ?? '')
  const tt = self.trustedTypes
  // only our own versioned files may become a worker or the service worker
  const urls = tt ? tt.createPolicy('tikiti', { createScriptURL: (u) => { if (/^\/assets\/[\w.-]+\.js$/.test(u)) return u; throw new TypeError(u) } })
    : { createScriptURL: (u) => u }
  const device = localStorage.getItem('gate:device') || crypto.randomUUID()
  localStorage.setItem('gate:device', device)
  const tokenKey = 'gate:token:' + ev
  let token = localStorage.getItem(tokenKey), lib, check, m, here = new Set(), keys = new Map(), qkey, ui, syncing = false
  let lastId = '', lastAt = 0, audio, busy = false
  const counts = (document.getElementById('gate-counts') || {}).textContent || ''

  // IndexedDB: kv (manifest, this phone's admissions, the queue key), queue (encrypted scans)
  const idb = new Promise((ok, no) => {
    const r = indexedDB.open('tikiti-gate', 1)
    r.onupgradeneeded = () => { r.result.createObjectStore('kv'); r.result.createObjectStore('queue', { keyPath: 'scanId' }) }
    r.onsuccess = () => ok(r.result)
    r.onerror = () => no(r.error)
  })
  const tx = async (store, mode, f) => {
    const t = (await idb).transaction(store, mode), req = f(t.objectStore(store))
    return new Promise((ok, no) => { t.oncomplete = () => ok(req && req.result); t.onerror = () => no(t.error) })
  }
  const get = (k) => tx('kv', 'readonly', (s) => s.get(k))
  const put = (k, v) => tx('kv', 'readwrite', (s) => s.put(v, k))

  // the queue key never leaves the browser: generated non-extractable, kept as a CryptoKey object
  const queueKey = async () => {
    qkey = qkey || (await get('qkey'))
    if (!qkey) { qkey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']); await put('qkey', qkey) }
    return qkey
  }
  const enqueue = async (scan) => {
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await queueKey(), new TextEncoder().encode(JSON.stringify(scan)))
    await tx('queue', 'readwrite', (s) => s.put({ scanId: scan.scanId, ev, iv, data }))
  }
  const queued = async () => {
    const rows = (await tx('queue', 'readonly', (s) => s.getAll())).filter((r) => r.ev === ev), k = await queueKey()
    return Promise.all(rows.map(async (r) => JSON.parse(new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: r.iv }, k, r.data)))))
  }

  const setOnline = (on) => { if (ui) ui.online = on }
  async function api(method, path, body, wait = 3000) {
    const headers = { 'content-type': 'application/json' }
    if (token) headers.authorization = 'Bearer ' + token
    const ctl = new AbortController(), timer = setTimeout(() => ctl.abort(), wait)
    try {
      const r = await fetch('/api/v1/events/' + ev + path, { method, headers, body: body && JSON.stringify(body), signal: ctl.signal })
      if (r.status === 401) {
        if (token) { token = null; localStorage.removeItem(tokenKey); return api(method, path, body, wait) }
        if (ui) ui.needSignIn = true
        return null
      }
      setOnline(r.status < 500)
      return r
    } catch { setOnline(false); return null } finally { clearTimeout(timer) }
  }

  const useKeys = async () => { keys = await check.importKeys(m) }
  async function refresh() {
    const r = await api('GET', '/scanner-manifest' + (m ? '?since=' + m.cursor : ''), null, 15000)
    if (!r || !r.ok) return
    m = check.mergeManifest(m, await r.json())
    await put('m:' + ev, m)
    await useKeys()
    ui.tick++
  }

  async function scanned(text) {
    const code = text.replace(/\s+/g, '').toUpperCase().slice(0, 400)
    if (!code || !check) return
    // one ticket has several spellings: dedupe on the ticket id the code decodes to, never on the text
    const claims = lib.readUnverifiedClaims(code), id = claims ? claims.ticketId : code, now = Date.now()
    const held = id === lastId && now - lastAt < 1000
    lastId = id; lastAt = now
    if (held || ui.shown || busy) return
    busy = true
    try {
      const gate = ui.gateName.trim().slice(0, 60)
      const scan = { code, scanId: crypto.randomUUID(), scannedAt: new Date().toISOString(), deviceId: device, ...(gate ? { gate } : {}) }
      let answer, offline = false
      const r = navigator.onLine ? await api('POST', '/scans', scan) : null
      if (r && r.ok) answer = await r.json()
      else if (r && r.status < 500) answer = { result: 'invalid', reason: 'malformed' }
      else {
        offline = true
        answer = await check.offlineVerdict(lib, m, keys, here, code, ev)
        await enqueue({ ...scan, offlineResult: answer.result, offlineReason: answer.reason })
      }
      if (answer.result === 'valid' && answer.ticket) {
        here.add(answer.ticket.id)
        await put('a:' + ev, here)
        if (m && offline) m.admitted++
        ui.last = offline ? null : { scanId: scan.scanId, at: now, ticketId: answer.ticket.id }
      }
      localStorage.setItem('gate:n:' + ev, String(++ui.deviceScans))
      show(answer, offline)
      if (offline) ui.queue = (await queued()).length
    } finally { busy = false }
  }

  function show(a, offline) {
    ui.answer = a; ui.offlineAnswer = offline; ui.shown = true
    lastAt = Date.now()
    beep(a.result)
    clearTimeout(ui.hide)
    ui.hide = setTimeout(() => ui.dismiss(), a.result === 'valid' ? 2000 : 3500)
  }
  function beep(result) {
    if (ui.muted) return
    const tones = result === 'valid' ? [[880, 0, 0.15]] : result === 'duplicate' ? [[520, 0, 0.12], [520, 0.2, 0.12]] : [[180, 0, 0.5]]
    try {
      audio = audio || new AudioContext()
      for (const [f, at, d] of tones) {
        const o = audio.createOscillator(), g = audio.createGain()
        o.type = result === 'valid' ? 'sine' : 'square'; o.frequency.value = f; g.gain.value = 0.2
        o.connect(g).connect(audio.destination); o.start(audio.currentTime + at); o.stop(audio.currentTime + at + d)
      }
    } catch {}
    if (navigator.vibrate) navigator.vibrate(result === 'valid' ? 80 : result === 'duplicate' ? [120, 80, 120] : [400])
  }

  async function sync() {
    if (syncing || !navigator.onLine) return
    syncing = true
    try {
      const all = await queued()
      const drop = (ids) => tx('queue', 'readwrite', (s) => { for (const id of ids) s.delete(id) })
      for (let i = 0; i < all.length; i += 200) {
        const batch = all.slice(i, i + 200), r = await api('POST', '/scans/sync', { scans: batch }, 20000)
        if (r && r.status === 422) {
          // one unreadable scan must not hold up the rest: send them one by one, drop what is refused
          for (const scan of batch) {
            const one = await api('POST', '/scans/sync', { scans: [scan] }, 20000)
            if (one && (one.ok || one.status === 422)) await drop([scan.scanId])
          }
          continue
        }
        if (!r || !r.ok) break
        await drop((await r.json()).results.map((x) => x.scanId))
      }
      ui.queue = (await queued()).length
    } finally { syncing = false }
  }

  // the camera: a centre crop, downscaled to 400 px, a few times a second (cheap phones overheat)
  let video, track, detector, worker, canvas, ctx, pending = false
  function loop() {
    setTimeout(loop, 200)
    if (pending || !video || video.readyState < 2) return
    const vw = video.videoWidth, vh = video.videoHeight, s = Math.min(vw, vh) * 0.8, n = Math.min(400, s)
    canvas = canvas || document.createElement('canvas')
    canvas.width = canvas.height = n
    ctx = ctx || canvas.getContext('2d', { willReadFrequently: true })
    ctx.drawImage(video, (vw - s) / 2, (vh - s) / 2, s, s, 0, 0, n, n)
    pending = true
    if (detector) {
      detector.detect(canvas).then((found) => { pending = false; if (found[0]) scanned(found[0].rawValue) }, () => { pending = false })
    } else {
      const img = ctx.getImageData(0, 0, n, n)
      worker.postMessage({ data: img.data, w: n, h: n }, [img.data.buffer])
    }
  }

  document.addEventListener('alpine:init', () => Alpine.data('gate', () => ({
    online: navigator.onLine, needSignIn: false, ready: false, noCamera: true, cameraError: '', hasTorch: false, torch: false,
    muted: localStorage.getItem('gate:muted') === '1', shown: false, answer: null, offlineAnswer: false, last: null,
    gateName: localStorage.getItem('gate:name') || '', queue: 0, deviceScans: Number(localStorage.getItem('gate:n:' + ev) || 0), tick: 0, hide: 0,
    get offline() { return !this.online },
    get onlineText() { return M.online },
    get offlineText() { return M.offline },
    get deviceText() { return fmt(M.device, { count: this.deviceScans }) },
    get queueText() { return this.queue ? fmt(M.queued, { count: this.queue }) : '' },
    get manifestText() {
      this.tick
      if (!m) return M.manifestNone
      const s = Math.round((Date.now() - m.at) / 1000)
      return fmt(M.manifestAge, { age: s < 90 ? s + ' s' : Math.round(s / 60) + ' min' })
    },
    get countsText() { this.tick; return m ? fmt(M.counts, { admitted: m.admitted, expected: m.expected }) : counts },
    get canUndo() { this.tick; return !!this.last && Date.now() - this.last.at < 120000 },
    get torchText() { return String(this.torch) },
    get mutedText() { return String(this.muted) },
    get verdictClass() { const r = this.answer && this.answer.result; return 'verdict ' + (r === 'valid' ? 'valid' : r === 'duplicate' ? 'duplicate' : 'invalid') },
    get verdictTitle() { return this.answer ? (this.answer.title || M['result.' + this.answer.result]) : '' },
    get verdictTicket() {
      const t = this.answer && this.answer.ticket
      return t ? [t.type, t.holderFirstName].filter(Boolean).join(' · ') : ''
    },
    get verdictReason() {
      const a = this.answer
      if (!a) return ''
      const parts = []
      if (a.reason && a.result !== 'valid') parts.push(M['reason.' + a.reason] || '')
      if (a.firstScan) {
        const at = new Date(a.firstScan.at).toLocaleString(lang, { timeZone: 'Africa/Nairobi', hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' })
        parts.push(fmt(M.firstScan, { at, gate: a.firstScan.gate || (a.firstScan.deviceId || "").slice(0, 8) || '—' }))
      }
      if (this.offlineAnswer) parts.push(M.offlineChecked)
      return parts.join(' ')
    },
    async init() {
      ui = this
      this.$watch('gateName', (v) => localStorage.setItem('gate:name', v))
      video = this.$refs.video
      addEventListener('online', () => { this.online = true; sync(); refresh() })
      addEventListener('offline', () => { this.online = false })
      setInterval(() => { this.tick++ }, 1000)
      // Chrome before 137 has no Ed25519 in WebCrypto: then @noble/curves answers the same calls
      const rfc8032 = Uint8Array.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'.match(/../g), (h) => parseInt(h, 16))
      await crypto.subtle.importKey('raw', rfc8032, { name: 'Ed25519' }, true, ['verify'])
        .catch(async () => (await import(root.dataset.ed25519)).install())
      lib = await import(root.dataset.codeModule)
      check = await import(root.dataset.checkModule)
      m = await get('m:' + ev)
      here = (await get('a:' + ev)) || new Set()
      if (m) await useKeys()
      this.queue = (await queued()).length
      this.ready = true
      this.tick++
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist()
      if ('serviceWorker' in navigator) {
        navigator.serviceWorker.register(urls.createScriptURL(root.dataset.sw), { scope: '/scan/' })
          .then(() => navigator.serviceWorker.ready)
          .then((reg) => reg.active && reg.active.postMessage({ cache: [location.pathname, ...[...document.scripts].map((s) => s.src), root.dataset.codeModule, root.dataset.checkModule, root.dataset.worker, root.dataset.ed25519] }))
          .catch(() => {})
      }
      if (navigator.onLine && !token) {
        const r = await api('POST', '/scanner-token', { deviceId: device, label: ((navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || '').slice(0, 40) })
        if (r && r.status === 201) { token = (await r.json()).token; localStorage.setItem(tokenKey, token) }
      }
      // online, the manifest follows every few seconds, so two offline phones disagree only briefly
      const every = async () => { await refresh(); await sync(); setTimeout(every, 5000) }
      every()
      this.startCamera()
      this.$refs.code.focus()
    },
    async startCamera() {
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 } } })
        video.srcObject = stream
        await video.play()
        track = stream.getVideoTracks()[0]
        this.hasTorch = !!(track.getCapabilities && track.getCapabilities().torch)
        const formats = 'BarcodeDetector' in self ? await BarcodeDetector.getSupportedFormats() : []
        if (formats.includes('qr_code')) detector = new BarcodeDetector({ formats: ['qr_code'] })
        else if (!worker) {
          worker = new Worker(urls.createScriptURL(root.dataset.worker))
          worker.onmessage = (e) => { pending = false; if (e.data) scanned(e.data) }
        }
        this.noCamera = false; this.cameraError = ''
        loop()
      } catch { this.noCamera = true; this.cameraError = M.cameraFailed }
    },
    toggleTorch() { this.torch = !this.torch; track.applyConstraints({ advanced: [{ torch: this.torch }] }).catch(() => {}) },
    toggleMute() { this.muted = !this.muted; localStorage.setItem('gate:muted', this.muted ? '1' : '0') },
    submitCode() { const el = this.$refs.code, v = el.value; el.value = ''; lastId = ''; scanned(v); el.focus() },
    dismiss() { clearTimeout(this.hide); this.shown = false; this.$refs.code.focus() },
    async undo() {
      const last = this.last
      if (!last) return
      const r = await api('POST', '/scans/' + last.scanId + '/undo', { deviceId: device })
      if (r && r.status === 204) { here.delete(last.ticketId); this.last = null; await put('a:' + ev, here); show({ result: 'duplicate', title: M.undone }, false) }
    },
  })))
})()
