/**
 * A browser-like client over `app.request`: keeps cookies, sends same-origin form posts (with an
 * Origin header, as browsers do), and never follows redirects so tests can see them.
 */
import type { App } from '../../src/app.ts'

export const ORIGIN = 'http://localhost'

export class TestClient {
  readonly cookies = new Map<string, string>()

  constructor(private readonly app: App, private readonly headers: Record<string, string> = {}) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const [name = '', value = ''] = pair.split('=')
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name.trim())
      else this.cookies.set(name.trim(), value.trim())
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.app.request(path, { headers: { ...this.headers, cookie: this.cookieHeader(), ...headers } })
    this.remember(res)
    return res
  }

  async post(path: string, form: Record<string, string | string[]> = {}, headers: Record<string, string> = {}): Promise<Response> {
    const body = new URLSearchParams()
    for (const [name, value] of Object.entries(form)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(name, item)
    }
    const res = await this.app.request(path, {
      method: 'POST',
      body,
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...this.headers,
        cookie: this.cookieHeader(), ...headers },
    })
    this.remember(res)
    return res
  }

  /** A JSON POST, as an API client in the same browser would send it (with its cookies). */
  async postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.app.request(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { origin: ORIGIN, 'content-type': 'application/json', ...this.headers, cookie: this.cookieHeader(), ...headers },
    })
    this.remember(res)
    return res
  }

  /** A DELETE, as an API client in the same browser would send it (with its cookies). */
  async delete(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.app.request(path, { method: 'DELETE', headers: { origin: ORIGIN, ...this.headers, cookie: this.cookieHeader(), ...headers } })
    this.remember(res)
    return res
  }

  get signedIn(): boolean {
    return this.cookies.has('__Host-session')
  }
}

/** A clock tests move by hand: no sleeping. */
export class TestClock {
  constructor(public current = new Date()) {}
  now = () => this.current
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms)
  }
}

export const MINUTE = 60 * 1000
