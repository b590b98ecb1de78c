/**
 * Feeding a zlib stream to a DecompressionStream in small pieces, for the upload checks that inflate only
 * to count (PNG pixel data, PDF page content). A DecompressionStream may inflate a whole written chunk
 * before handing any of it over (Deno does), and deflate expands at most ~1032 to 1: 1 KB pieces mean the
 * reader sees at most about 1 MB before it can stop, whatever the input's size.
 */
export const FEED_BYTES = 1024

/**
 * Writes `parts` to `writer` a piece at a time, then closes it; stops writing once `stopped()` is true
 * (the reader has seen enough). Errors show on the reading side, so the returned promise never rejects.
 */
export function feedInPieces(
  writer: WritableStreamDefaultWriter<BufferSource>, parts: readonly Uint8Array[], stopped: () => boolean = () => false,
): Promise<void> {
  const feeding = (async () => {
    for (const part of parts) {
      for (let at = 0; at < part.length && !stopped(); at += FEED_BYTES) await writer.write(part.slice(at, at + FEED_BYTES))
    }
    if (!stopped()) await writer.close()
  })()
  return feeding.catch(() => {}) // a broken stream, or the reader cancelling it, shows on the reading side
}
