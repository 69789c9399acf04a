/**
 * What the notify adapters share: one JSON POST with the failure split into permanent and retryable, the
 * robots' {errcode, errmsg} answer, and HMAC-SHA256 through WebCrypto. Runtime-neutral (fetch, crypto.subtle).
 */
import { NotifyError, type NotifyContext } from '../../src/services/notifications.js';
import { readAtMost } from '../../src/lib/read-bounded.js';

const enc = new TextEncoder();

/** HMAC-SHA256(key, data) with WebCrypto. */
export async function hmacSha256(key: string | Uint8Array, data: string): Promise<Uint8Array> {
  const raw = typeof key === 'string' ? enc.encode(key) : key;
  const k = await crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(data)));
}

/** HTTP statuses worth retrying: timeouts, rate limits and server errors. Any other 4xx is permanent. */
export const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/** An address for messages and logs: origin and path, never the query (robot credentials live there). */
export const where = (url: string) => {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
};

/**
 * The most of an answer that is read: a robot's {errcode, errmsg} is well under a kilobyte, and a refusal is quoted by
 * its first 300 characters. An endpoint that answers more (a misconfigured URL serving a file, or one that streams
 * without end) is cut there: before, its whole answer was read into memory for as long as the timeout let it run.
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** The first MAX_ANSWER_BYTES of an answer, as text (the rest is not read); empty if the reading fails (a timeout, a reset). */
async function answerText(res: Response): Promise<string> {
  try {
    return new TextDecoder().decode((await readAtMost(res, MAX_ANSWER_BYTES)).bytes);
  } catch {
    return '';
  }
}

/** POST a JSON body; resolve with the 2xx response's text, throw NotifyError otherwise. Redirects are not followed. */
export async function postJson(ctx: NotifyContext, url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  let res: Response;
  try {
    res = await ctx.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'fuyuan-gateway', ...headers },
      body,
      redirect: 'manual',
    });
  } catch (e) {
    const err = e as Error;
    const reason =
      err?.name === 'TimeoutError' || err?.name === 'AbortError' ? '请求超时 (timed out)' : `请求失败 (request failed): ${err?.message ?? String(e)}`;
    throw new NotifyError(`${where(url)}: ${reason}`);
  }
  const text = await answerText(res);
  if (res.status >= 200 && res.status < 300) return { status: res.status, text };
  const snippet = text.slice(0, 300);
  if (res.status >= 300 && res.status < 400)
    throw new NotifyError(`${where(url)}: HTTP ${res.status} 重定向 (redirect) to ${res.headers.get('location') ?? '?'}; correct the channel address`, true);
  throw new NotifyError(`${where(url)}: HTTP ${res.status}${snippet ? ` ${snippet}` : ''}`, !retryableStatus(res.status));
}

/**
 * The group robots answer HTTP 200 with {"errcode":0,"errmsg":"ok"}; any other errcode is a refusal
 * (signature, keyword, rate limit …). Treated as retryable: a clock skew or a rate limit passes, and a wrong
 * configuration ends as a dead letter after the last attempt.
 */
export function checkErrcode(service: string, url: string, text: string): void {
  let r: { errcode?: unknown; errmsg?: unknown };
  try {
    r = JSON.parse(text) as typeof r;
  } catch {
    throw new NotifyError(`${service} ${where(url)}: answer is not JSON: ${text.slice(0, 200)}`);
  }
  if (r.errcode !== 0) throw new NotifyError(`${service} ${where(url)}: errcode ${String(r.errcode)} ${String(r.errmsg ?? '')}`.trim());
}
