/**
 * Headers of every page for people (the pages under /web, the API reference /docs, the printable meeting
 * pack): no caching (they hold personal data), no framing, no outside resources, no sniffing, and scripts only
 * from this origin (the pages' one script, src/web/assets/workbench.ts: never an inline script), which may
 * talk to this origin alone (upload progress, exports).
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // same-origin (not no-referrer): a form POST keeps its Origin header, which the pages' CSRF check reads.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Set them on a response already made (a middleware's after-next). */
export function setPageSecurityHeaders(headers: Headers): void {
  for (const [k, v] of Object.entries(PAGE_SECURITY_HEADERS)) headers.set(k, v);
}
