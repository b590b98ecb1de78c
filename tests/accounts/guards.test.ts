/**
 * The guards hand the handlers behind them a typed actor instead of a nullable user: requireManager and
 * requireStaff set `staff` from the active membership; reading it on a route without a guard fails loudly.
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { CurrentUser } from '../../src/accounts/people.ts'
import { requireManager, requireStaff, signedInUser, staffMember } from '../../src/accounts/guards.ts'
import type { AppEnv } from '../../src/http/app-env.ts'

function personWith(activeMembership: CurrentUser['activeMembership']): CurrentUser {
  return {
    id: 'user-1', email: 'kamau@example.com', name: 'Kamau', phone: null, role: 'user', isSuperAdmin: false,
    emailVerified: true, phoneVerified: false, memberships: activeMembership ? [activeMembership] : [], activeMembership,
    session: {} as CurrentUser['session'],
  }
}

function appFor(user: CurrentUser | null) {
  const app = new Hono<AppEnv>()
  app.use('*', async (c, next) => {
    c.set('user', user)
    await next()
  })
  // the app's error handler answers a domain error with its status; anything else is a 500
  app.onError((error, c) => c.text(error.message, 'status' in error && error.status === 403 ? 403 : 500))
  app.get('/manager', requireManager, (c) => c.json(staffMember(c)))
  app.get('/staff', requireStaff, (c) => c.json(staffMember(c)))
  app.get('/unguarded-staff', (c) => c.json(staffMember(c)))
  app.get('/unguarded-user', (c) => c.json(signedInUser(c)))
  return app
}

const scanner = { tenantId: 'tenant-1', tenantName: 'Nairobi Nights', tenantStatus: 'active', role: 'scanner' } as const
const manager = { ...scanner, role: 'manager' } as const

describe('guards that set the actor', () => {
  it('requireStaff sets the staff member of the active tenant, with their role', async () => {
    const response = await appFor(personWith(scanner)).request('/staff')
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      userId: 'user-1', tenantId: 'tenant-1', tenantName: 'Nairobi Nights', role: 'scanner', membership: scanner,
    })
  })

  it('requireManager sets the manager, and a scanner never reaches the handler', async () => {
    const asManager = await appFor(personWith(manager)).request('/manager')
    expect(asManager.status).toBe(200)
    expect(await asManager.json()).toMatchObject({ userId: 'user-1', tenantId: 'tenant-1', role: 'manager' })
    const asScanner = await appFor(personWith(scanner)).request('/manager')
    expect(asScanner.status).toBe(403)
    expect(await asScanner.text()).not.toContain('tenant-1')
  })

  it('fails loudly when a handler reads the actor on a route without its guard', async () => {
    const staffless = await appFor(personWith(null)).request('/unguarded-staff')
    expect(staffless.status).toBe(500)
    expect(await staffless.text()).toContain('not behind requireManager or requireStaff')
    const anonymous = await appFor(null).request('/unguarded-user')
    expect(anonymous.status).toBe(500)
    expect(await anonymous.text()).toContain('not behind requireSignIn')
  })
})
