/**
 * The one way the gateway fetches trust material (CRLs, OCSP, RFC 3161 timestamps): only from hosts the
 * administrator allowed, with a timeout on each attempt, a few retries with back-off on network errors and
 * 5xx, and a size limit. Only the sweep calls it; nothing on the intake path waits for the network.
 */
import type { Deps, TrustConfig } from '../deps.js';
import { readAtMost } from './read-bounded.js';

export const TRUST_DEFAULTS: TrustConfig = {
  fetchAllowHosts: [],
  fetchTimeoutMs: 10_000,
  fetchRetries: 2,
  ocspFreshnessSeconds: 3600,
  crlRefreshSeconds: 3600,
  recheckDays: 7,
  tsaIntervalSeconds: 60,
};

export const trustConfig = (deps: Deps): TrustConfig => ({ ...TRUST_DEFAULTS, ...deps.config.trust });

export class FetchRefused extends Error {}

/** The largest CRL, OCSP or timestamp response read. */
export const TRUST_FETCH_MAX_BYTES = 20 * 1024 * 1024;
const MAX_BYTES = TRUST_FETCH_MAX_BYTES;

/** Whether `url` is http(s) on an allowed host (`host` or `host:port`, as the administrator wrote it). */
export function allowedUrl(cfg: TrustConfig, url: string): URL | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  const host = u.host.toLowerCase();
  const name = u.hostname.toLowerCase();
  return cfg.fetchAllowHosts.some((h) => h.toLowerCase() === host || h.toLowerCase() === name) ? u : undefined;
}

export async function trustFetch(
  deps: Deps,
  url: string,
  init: { method?: 'GET' | 'POST'; body?: Uint8Array; contentType?: string; accept: string },
): Promise<Uint8Array> {
  const cfg = trustConfig(deps);
  const u = allowedUrl(cfg, url);
  if (!u) throw new FetchRefused(`${url}: not an http(s) URL on a host in the allow-list (TRUST_FETCH_ALLOW_HOSTS)`);
  const doFetch = deps.fetch ?? globalThis.fetch;
  let last = '';
  for (let attempt = 0; attempt <= cfg.fetchRetries; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, Math.min(2000, 200 * 2 ** (attempt - 1))));
    try {
      const res = await doFetch(u.toString(), {
        method: init.method ?? 'GET',
        headers: { accept: init.accept, ...(init.contentType ? { 'content-type': init.contentType } : {}) },
        ...(init.body ? { body: init.body as BodyInit } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(cfg.fetchTimeoutMs),
      });
      if (res.status >= 500) {
        last = `HTTP ${res.status}`;
        await res.body?.cancel();
        continue;
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new FetchRefused(`${url}: HTTP ${res.status}`);
      }
      const len = Number(res.headers.get('content-length') ?? 0);
      if (len > MAX_BYTES) throw new FetchRefused(`${url}: ${len} bytes is over the ${MAX_BYTES} byte limit`);
      // Read no further than the limit: a body without Content-Length (chunked) could otherwise grow until the timeout.
      const { bytes, more } = await readAtMost(res, MAX_BYTES);
      if (more) throw new FetchRefused(`${url}: over the ${MAX_BYTES} byte limit`);
      return bytes;
    } catch (e) {
      if (e instanceof FetchRefused) throw e;
      last = String((e as Error)?.message ?? e);
    }
  }
  throw new Error(`${url}: ${last} (after ${cfg.fetchRetries + 1} attempts)`);
}
