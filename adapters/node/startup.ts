/**
 * What `npm start` tells the person who started it: where the gateway answers, where its pages and API reference
 * are, where the bootstrap admin token is kept; and, when it cannot listen, why, in one line instead of a stack.
 */
import { resolve } from 'node:path';
import type { NodeConfig } from './config.js';
import { adminTokenFile } from './keystore.js';
import { uploadDeadlineMs } from '../../src/http/upload-deadline.js';

/** The base URL a person on this machine types: a wildcard address is reached on loopback. */
export function localBaseUrl(cfg: Pick<NodeConfig, 'PUBLIC_URL'>, address: string, port: number): string {
  if (cfg.PUBLIC_URL) return cfg.PUBLIC_URL.replace(/\/+$/, '');
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${port}`;
}

/** The lines logged once the server listens (each one JSON log line; `msg` reads on its own). */
export function startupLines(cfg: NodeConfig, address: string, port: number): { msg: string; fields: Record<string, unknown> }[] {
  const base = localBaseUrl(cfg, address, port);
  const database = cfg.DATABASE_URL.replace(/\?.*$/, '');
  const token = cfg.ADMIN_TOKEN ? 'given by ADMIN_TOKEN' : resolve(adminTokenFile(cfg.DATA_DIR));
  return [
    { msg: `fuyuan gateway listening on ${base} with database ${database}`, fields: { address, port, url: base, database, dataDir: resolve(cfg.DATA_DIR) } },
    {
      msg: `pages (区域概况, 时限看板, 分办队列): ${base}/web · API reference: ${base}/docs · OpenAPI: ${base}/openapi.json`,
      fields: { web: `${base}/web`, docs: `${base}/docs`, openapi: `${base}/openapi.json` },
    },
    {
      msg: cfg.ADMIN_TOKEN
        ? 'admin token: given by ADMIN_TOKEN; register clients with `npm run cli -- client add --help`'
        : `admin token: ${token} (owner-only); register clients with \`npm run cli -- client add --help\``,
      fields: { adminToken: token },
    },
  ];
}

/** One readable line for an error from listen(), or null when it is not one a person can fix by configuration. */
export function listenErrorMessage(err: NodeJS.ErrnoException, cfg: Pick<NodeConfig, 'HOST' | 'PORT'>): string | null {
  const where = `${cfg.HOST}:${cfg.PORT}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${cfg.PORT} on ${cfg.HOST} is already in use (another gateway, or \`npm run dev:worker\`?): stop it, or start on another port, e.g. PORT=8790 npm start`;
    case 'EACCES':
      return `not allowed to listen on ${where}: ports below 1024 need privileges; use PORT=8787 behind a reverse proxy`;
    case 'EADDRNOTAVAIL':
      return `HOST=${cfg.HOST} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its interfaces`;
    default:
      return null;
  }
}

/**
 * Node's http.Server cuts any request not received in full within its requestTimeout (300 s by default), however
 * steadily it arrives. Every body has the gateway's own deadline (src/http/upload-deadline.ts), so Node's only has
 * to allow the largest delivery at the minimum rate, and a minute more: with the defaults, 50 MiB at 16 KiB/s is
 * 30 + 3,200 s. Without it, a court on a slow line that kept up the rate was cut by Node after 5 minutes instead.
 * Never below Node's own default.
 */
export function nodeRequestTimeoutMs(
  cfg: Pick<NodeConfig, 'BODY_LIMIT_BYTES' | 'UPLOAD_GRACE_SECONDS' | 'UPLOAD_MIN_BYTES_PER_SECOND'>,
  nodeDefaultMs: number,
): number {
  return Math.max(nodeDefaultMs, uploadDeadlineMs(cfg.BODY_LIMIT_BYTES, cfg.UPLOAD_GRACE_SECONDS, cfg.UPLOAD_MIN_BYTES_PER_SECOND) + 60_000);
}
