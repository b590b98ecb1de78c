/**
 * A map that keeps only its `limit` most recently used entries: what a busy server keeps of things it made
 * before (a page, its gzip) so that the next asker of the same gets it without the work.
 */
export class RecentlyUsed<K, V> {
  readonly #entries = new Map<K, V>()

  constructor(readonly limit: number) {}

  get size(): number {
    return this.#entries.size
  }

  /** The value, which counts as a use. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key)
    if (value !== undefined) {
      // the most recent last: a Map keeps insertion order, so its first key is the one to forget
      this.#entries.delete(key)
      this.#entries.set(key, value)
    }
    return value
  }

  set(key: K, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value!)
  }
}
