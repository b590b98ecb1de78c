/** Request log lines written together (src/http/request-log.ts batchedLogSink). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { batchedLogSink, LOG_BATCH_LINES, LOG_BATCH_MS } from '../../src/http/request-log.ts'

describe('batched log sink', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('writes the lines of a moment in one write, in order, each on its own line', () => {
    const writes: string[] = []
    const { sink } = batchedLogSink((text) => writes.push(text))
    sink('{"n":1}')
    sink('{"n":2}')
    sink('{"n":3}')
    expect(writes).toEqual([])
    vi.advanceTimersByTime(LOG_BATCH_MS)
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n'])
    vi.advanceTimersByTime(10 * LOG_BATCH_MS)
    expect(writes).toHaveLength(1)
    sink('{"n":4}')
    vi.advanceTimersByTime(LOG_BATCH_MS)
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n', '{"n":4}\n'])
  })

  it('writes at once a full batch, an error line (with the lines before it) and whatever waits on flush', () => {
    const writes: string[] = []
    const { sink, flush } = batchedLogSink((text) => writes.push(text))
    for (let i = 0; i < LOG_BATCH_LINES; i++) sink(`{"n":${i}}`)
    expect(writes).toHaveLength(1)
    expect(writes[0]!.split('\n')).toHaveLength(LOG_BATCH_LINES + 1)
    sink('{"level":"info","n":"a"}')
    sink('{"level":"error","msg":"boom"}')
    expect(writes[1]).toBe('{"level":"info","n":"a"}\n{"level":"error","msg":"boom"}\n')
    sink('{"level":"info","n":"b"}')
    flush()
    expect(writes[2]).toBe('{"level":"info","n":"b"}\n')
    flush()
    vi.advanceTimersByTime(LOG_BATCH_MS)
    expect(writes).toHaveLength(3)
  })

  it('never throws when a write fails, from a request or from its timer, and writes on once it can', () => {
    const written: string[] = []
    let broken = true
    const { sink } = batchedLogSink((text) => {
      if (broken) throw new Error('broken pipe')
      written.push(text)
    })
    expect(() => sink('{"level":"error","msg":"a"}')).not.toThrow()
    sink('{"n":1}')
    expect(() => vi.advanceTimersByTime(LOG_BATCH_MS)).not.toThrow()
    broken = false
    sink('{"n":2}')
    vi.advanceTimersByTime(LOG_BATCH_MS)
    expect(written).toEqual(['{"n":2}\n'])
  })
})
