/** Raw HTTP/1.1 clients over node:net, for what fetch cannot do: send a whole body before reading a byte. */
import { connect, type Socket } from 'node:net';

/** One write, its callback as a promise: rejects with the error the write met (EPIPE, ECONNRESET). */
export const writeAll = (s: Socket, b: Buffer | string) => new Promise<void>((resolve, reject) => s.write(b, (e) => (e ? reject(e) : resolve())));

/**
 * A client that sends its whole request before it reads a byte, as Python's http.client and Java's
 * HttpURLConnection do: the answer it then reads (status line, headers, body), with the code of an error its reading
 * met (a reset), or the code of the error its writing met. `end`: the client ends its side once all is sent.
 */
export async function sendAllThenRead(
  base: string,
  head: string,
  bodyBytes: number,
  opts: { end?: boolean } = {},
): Promise<{ status: number; head: string; body: string; error?: string } | { error: string }> {
  const { hostname, port } = new URL(base);
  const s = connect({ host: hostname, port: Number(port) });
  s.pause();
  await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
  // A write error is also emitted as 'error': it is taken from the write's callback; one met while reading is kept.
  let readError: string | undefined;
  let reading = false;
  s.on('error', (e: NodeJS.ErrnoException) => {
    if (reading) readError ??= e.code ?? String(e);
  });
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  try {
    await writeAll(s, head);
    for (let sent = 0; sent < bodyBytes; sent += chunk.length) await writeAll(s, chunk.subarray(0, Math.min(chunk.length, bodyBytes - sent)));
  } catch (e) {
    s.destroy();
    return { error: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
  reading = true;
  const got: Buffer[] = [];
  s.on('data', (c: Buffer) => got.push(c));
  s.resume();
  if (opts.end) s.end();
  await new Promise<void>((resolve) => s.once('end', resolve).once('close', resolve));
  s.destroy();
  const text = Buffer.concat(got).toString('utf8');
  const [h = '', ...rest] = text.split('\r\n\r\n');
  const answer = { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(h)?.[1] ?? 0), head: h, body: rest.join('\r\n\r\n') };
  return readError ? { ...answer, error: readError } : answer;
}
