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

/** A response as read off the wire: its status line's code, its head (status line and headers) and its body. */
interface Answer {
  status: number;
  head: string;
  body: string;
}

/**
 * A client that sends `Expect: 100-continue` as curl does: the head (which must carry the header), then the body only
 * once `100 Continue` has come (it waits `waitMs` at most, then sends it anyway, as curl does after a second). What
 * it read: the interim answers, the final one, and whether it sent the body.
 */
export async function expectContinue(
  base: string,
  head: string,
  body: Buffer,
  waitMs = 5000,
): Promise<{ interim: number[]; final: Answer; sentBody: boolean }> {
  const { hostname, port } = new URL(base);
  const s = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
  s.on('error', () => undefined);
  const interim: number[] = [];
  let sentBody = false;
  let buf = Buffer.alloc(0);
  const send = () => {
    if (sentBody) return;
    sentBody = true;
    s.write(body);
  };
  const giveUp = setTimeout(send, waitMs);
  const final = await new Promise<Answer>((resolve) => {
    const parse = () => {
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const h = buf.subarray(0, end).toString('latin1');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(h)?.[1] ?? 0);
        if (status >= 100 && status < 200) {
          interim.push(status);
          buf = buf.subarray(end + 4);
          if (status === 100) {
            clearTimeout(giveUp);
            send();
          }
          continue;
        }
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(h)?.[1] ?? -1);
        const rest = buf.subarray(end + 4);
        if (length >= 0 && rest.length < length) return;
        resolve({ status, head: h, body: rest.subarray(0, length >= 0 ? length : rest.length).toString('utf8') });
        return;
      }
    };
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      parse();
    });
    s.once('close', () => resolve({ status: 0, head: '', body: buf.toString('utf8') }));
    s.write(head);
  });
  clearTimeout(giveUp);
  s.destroy();
  return { interim, final, sentBody };
}
