/**
 * How the app calls outside services over HTTP (Daraja, Google): one function type, so tests and the
 * entries can route any of them to a stand-in, and one default.
 */

/** A fetch for outside services; tests pass one that routes to a local stand-in. */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>

/**
 * The runtime's fetch. A wrapper, not a bare reference: Workers reject fetch called with a `this`
 * other than the global.
 */
export const webFetch: FetchFn = (input, init) => fetch(input, init)
