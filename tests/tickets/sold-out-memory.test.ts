/**
 * The memory of an event with nothing left, and the sharing of a look in flight (src/tickets/sold-out-memory.ts):
 * what the waiting room's crowd is answered from once a sale has nothing left.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { forgetSoldOut, rememberedWhileNothingLeft, SOLD_OUT_MEMORY_MS } from '../../src/tickets/sold-out-memory.ts'

interface Look { left: number; asked: number }

function asker(left: () => number, delayMs = 0) {
  let asked = 0
  const ask = async (): Promise<Look> => {
    asked++
    const answer = { left: left(), asked }
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs))
    return answer
  }
  return { ask, count: () => asked }
}
const nothingLeft = (look: Look) => look.left === 0
/** The database the asks run on (only its identity matters here). */
const db = {}
const at = (ms: number) => new Date(Date.UTC(2027, 0, 1) + ms)

afterEach(() => forgetSoldOut())

describe('an event with nothing left', () => {
  it('is answered from memory for a second of request time, then asked again', async () => {
    const { ask, count } = asker(() => 0)
    expect(await rememberedWhileNothingLeft(db, 'a', at(0), ask, nothingLeft)).toEqual({ left: 0, asked: 1 })
    for (const ms of [1, 500, SOLD_OUT_MEMORY_MS - 1]) await rememberedWhileNothingLeft(db, 'a', at(ms), ask, nothingLeft)
    expect(count()).toBe(1)
    await rememberedWhileNothingLeft(db, 'a', at(SOLD_OUT_MEMORY_MS), ask, nothingLeft)
    expect(count()).toBe(2)
    // a request older than the look remembered does not use it, and does not spoil it for the rest
    await rememberedWhileNothingLeft(db, 'a', at(SOLD_OUT_MEMORY_MS - 1), ask, nothingLeft)
    expect(count()).toBe(3)
  })

  it('remembers nothing while tickets are left, and forgets at once when tickets come back', async () => {
    let left = 3
    const { ask, count } = asker(() => left)
    await rememberedWhileNothingLeft(db, 'b', at(0), ask, nothingLeft)
    await rememberedWhileNothingLeft(db, 'b', at(0), ask, nothingLeft)
    expect(count()).toBe(2)
    left = 0
    await rememberedWhileNothingLeft(db, 'b', at(0), ask, nothingLeft)
    await rememberedWhileNothingLeft(db, 'b', at(0), ask, nothingLeft)
    expect(count()).toBe(3)
    forgetSoldOut()
    left = 1
    expect(await rememberedWhileNothingLeft(db, 'b', at(0), ask, nothingLeft)).toMatchObject({ left: 1 })
    expect(count()).toBe(4)
  })

  it('lets callers that come while a look runs take its answer, whatever it found', async () => {
    const { ask, count } = asker(() => 7, 20)
    const answers = await Promise.all(Array.from({ length: 10 }, () => rememberedWhileNothingLeft(db, 'c', at(0), ask, nothingLeft)))
    expect(count()).toBe(1)
    expect(new Set(answers).size).toBe(1)
    // once it has answered, the next caller asks again
    await rememberedWhileNothingLeft(db, 'c', at(1), ask, nothingLeft)
    expect(count()).toBe(2)
  })

  it('shares a look in flight only among callers on the same database (on Workers, one a request)', async () => {
    const { ask, count } = asker(() => 7, 20)
    const requests = [{}, {}, {}]
    await Promise.all(requests.map((own) => rememberedWhileNothingLeft(own, 'e', at(0), ask, nothingLeft)))
    expect(count()).toBe(3)
  })

  it('shares no failure: each caller waiting on a look that failed asks for itself', async () => {
    let calls = 0
    const ask = async (): Promise<Look> => {
      calls++
      await new Promise((resolve) => setTimeout(resolve, 10))
      if (calls === 1) throw new Error('connection lost')
      return { left: 2, asked: calls }
    }
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => rememberedWhileNothingLeft(db, 'd', at(0), ask, nothingLeft)))
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled'])
    expect(calls).toBe(4)
  })
})
