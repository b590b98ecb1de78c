/** renderPage (src/http/render.tsx): a page the same for everyone is rendered once per key, language and path. */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { CurrentUser } from '../../src/accounts/people.ts'
import type { AppEnv } from '../../src/http/app-env.ts'
import { RECENT_PAGES, renderPage } from '../../src/http/render.tsx'
import { isLang, translator } from '../../src/i18n/index.ts'

function pages() {
  let renders = 0
  function Body({ text }: { text: string }) {
    renders++
    return <p class="body">{text}</p>
  }
  const app = new Hono<AppEnv>()
  app.use(async (c, next) => {
    const lang = isLang(c.req.query('lang')) ? c.req.query('lang')! : 'en'
    c.set('lang', lang as 'en')
    c.set('t', translator(lang as 'en'))
    if (c.req.header('x-user')) c.set('user', { id: 'u1', email: 'm@example.test', name: 'M', isSuperAdmin: false, activeMembership: null } as unknown as CurrentUser)
    await next()
  })
  app.get('/p/:text', (c) => renderPage(c, { title: 'Page', body: <Body text={c.req.param('text')} />, sameForEveryone: c.req.query('key') }))
  return { app, renders: () => renders }
}

describe('pages the same for everyone', () => {
  it('renders one once per key, language and path, and each page without a key every time', async () => {
    const { app, renders } = pages()
    const first = await (await app.request('/p/alpha?key=k1')).text()
    expect(first).toContain('<p class="body">alpha</p>')
    expect(await (await app.request('/p/alpha?key=k1')).text()).toBe(first)
    expect(renders()).toBe(1)
    const swahili = await (await app.request('/p/alpha?key=k1&lang=sw')).text()
    expect(swahili).toContain('lang="sw"')
    expect(renders()).toBe(2)
    expect(await (await app.request('/p/beta?key=k1')).text()).toContain('<p class="body">beta</p>')
    expect(renders()).toBe(3)
    await app.request('/p/alpha')
    await app.request('/p/alpha')
    expect(renders()).toBe(5)
  })

  it('never serves a signed-in person the page kept for everyone, nor keeps theirs', async () => {
    const { app, renders } = pages()
    const anonymous = await (await app.request('/p/alpha?key=k2')).text()
    expect(anonymous).toContain('href="/login"')
    const signedIn = await (await app.request('/p/alpha?key=k2', { headers: { 'x-user': '1' } })).text()
    expect(signedIn).not.toContain('href="/login"')
    expect(signedIn).toContain('action="/logout"')
    await app.request('/p/alpha?key=k2', { headers: { 'x-user': '1' } })
    expect(renders()).toBe(3)
    expect(await (await app.request('/p/alpha?key=k2')).text()).toBe(anonymous)
    expect(renders()).toBe(3)
  })

  it('keeps only the most recent pages', async () => {
    const { app, renders } = pages()
    for (let i = 0; i <= RECENT_PAGES; i++) await app.request(`/p/x?key=lru-${i}`)
    expect(renders()).toBe(RECENT_PAGES + 1)
    await app.request(`/p/x?key=lru-${RECENT_PAGES}`)
    expect(renders()).toBe(RECENT_PAGES + 1)
    await app.request('/p/x?key=lru-0')
    expect(renders()).toBe(RECENT_PAGES + 2)
  })
})
