/**
 * Read an answer from another system (a CRL, an OCSP or timestamp response, a notification endpoint's reply) no
 * further than a bound: what its Content-Length says, or does not say, is the other side's word, and a body read with
 * arrayBuffer() or text() is held whole in memory for as long as the request's timeout lets it run.
 */

/** The first `max` bytes of `res`'s body, and whether there was more (then the rest is not read: the body is cancelled). */
export async function readAtMost(res: Response, max: number): Promise<{ bytes: Uint8Array; more: boolean }> {
  if (!res.body) return { bytes: new Uint8Array(0), more: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  let more = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (n + value.length > max) {
      chunks.push(value.subarray(0, max - n));
      n = max;
      more = true;
      break;
    }
    chunks.push(value);
    n += value.length;
  }
  if (more) await reader.cancel().catch(() => undefined);
  const bytes = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { bytes, more };
}
