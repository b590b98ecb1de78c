import { describe, expect, it } from 'vitest'
import { clientAddress } from '../../src/http/client-address.ts'

const SOCKET = '10.0.0.1'

describe('the client address behind our own reverse proxies (TRUST_PROXY)', () => {
  it('takes the socket address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.9', SOCKET, 0)).toBe(SOCKET)
    expect(clientAddress(undefined, SOCKET, 0)).toBe(SOCKET)
  })

  it('behind one proxy takes the rightmost entry, the one our proxy wrote: entries the client sent are ignored', () => {
    expect(clientAddress('203.0.113.9', SOCKET, 1)).toBe('203.0.113.9')
    expect(clientAddress('6.6.6.6, 203.0.113.9', SOCKET, 1)).toBe('203.0.113.9')
    expect(clientAddress('1.1.1.1,2.2.2.2 ,  203.0.113.9', SOCKET, 1)).toBe('203.0.113.9')
    // two X-Forwarded-For headers reach us joined by ", ": the client's one first
    const headers = new Headers([['x-forwarded-for', '6.6.6.6'], ['x-forwarded-for', '203.0.113.9']])
    expect(clientAddress(headers.get('x-forwarded-for'), SOCKET, 1)).toBe('203.0.113.9')
  })

  it('behind n proxies takes the nth entry from the right', () => {
    expect(clientAddress('6.6.6.6, 203.0.113.9, 10.0.0.2', SOCKET, 2)).toBe('203.0.113.9')
    expect(clientAddress('203.0.113.9, 10.0.0.3, 10.0.0.2', SOCKET, 3)).toBe('203.0.113.9')
    expect(clientAddress('6.6.6.6, 7.7.7.7, 203.0.113.9, 10.0.0.3, 10.0.0.2', SOCKET, 3)).toBe('203.0.113.9')
  })

  it('falls back to the socket address when the header is missing, empty, too short or its entry is not an address', () => {
    for (const header of [undefined, null, '', ' ', ',', '203.0.113.9,', '203.0.113.9, ', 'unknown', '6.6.6.6, not-an-ip',
      '999.1.1.1', '1.2.3', '01.2.3.4', '203.0.113.9 6.6.6.6', 'example.com', '::g', '[::1', '1.2.3.4:99999', '_hidden']) {
      expect(clientAddress(header, SOCKET, 1), String(header)).toBe(SOCKET)
    }
    // fewer entries than proxies: one of ours did not write it, so none of it can be trusted
    expect(clientAddress('203.0.113.9', SOCKET, 2)).toBe(SOCKET)
    expect(clientAddress(undefined, undefined, 1)).toBe('unknown')
    expect(clientAddress(undefined, undefined, 0)).toBe('unknown')
  })

  it('reads IPv6 and entries with a port, as one spelling per address', () => {
    expect(clientAddress('6.6.6.6, 2001:DB8:0:0::1', SOCKET, 1)).toBe('2001:db8::1')
    expect(clientAddress('[2001:db8::1]:443', SOCKET, 1)).toBe('2001:db8::1')
    expect(clientAddress('203.0.113.9:51234', SOCKET, 1)).toBe('203.0.113.9')
    expect(clientAddress('::ffff:203.0.113.9', SOCKET, 1)).toBe('::ffff:cb00:7109')
  })
})
