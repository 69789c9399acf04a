/** `npm start`: the gateway on Node with the embedded libSQL file, migrations applied, ready to receive. */
import { usageOrExit } from './usage.js';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from '../../src/app.js';
import { parseNodeConfig } from './config.js';
import { nodeDeps } from './deps.js';
import { beginDraining, isDraining } from '../../src/http/admission.js';
import { sweep } from '../../src/jobs/sweep.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerClientErrorsAsProblems } from './client-errors.js';
import { secureDataDir } from './data-files.js';
import { sealStoredChannelSecrets } from '../../src/services/notifications.js';

import { listenErrorMessage, nodeRequestTimeoutMs, startupLines } from './startup.js';
import { reclaimLeases, releaseLeases } from '../../src/jobs/outbox.js';
import { recomputeOnHolidayDataChange } from '../../src/jobs/deadlines.js';
import { nodeHolderIsGone } from './processes.js';
import { boundConnections, connectionBounds, LISTEN_BACKLOG, openFileLimit } from './connections.js';
import { lingerOnClose } from './linger.js';
import { continueWhenRead } from './continue.js';

async function main() {
  usageOrExit({
    name: 'npm start',
    description: '府院通 Fuyuan gateway on Node: the API, the pages (/web), the API reference (/docs) and the sweep, on one port',
    environment: [
      ['PORT, HOST', 'where to listen (8787, 127.0.0.1)'],
      ['DATA_DIR', 'database file, gateway keys, admin token (data)'],
      ['DATABASE_URL', 'libSQL URL (file:$DATA_DIR/fuyuan.db)'],
      ['ADMIN_TOKEN', 'bootstrap administrator token (else created in DATA_DIR/admin-token)'],
      ['LOG_LEVEL', 'debug | info | warn | error (info)'],
      ['…', 'every setting: README.md, "Configuration"'],
    ],
  });
  let cfg;
  try {
    cfg = parseNodeConfig(process.env);
  } catch (e) {
    process.stderr.write(`fuyuan: ${(e as Error).message}\n`);
    process.exit(2);
  }
  // Everything the server creates is owner-only (files 0600, directories 0700); the data directory is tightened.
  process.umask(0o077);
  secureDataDir(cfg.DATA_DIR);
  const { deps, close } = await nodeDeps(cfg);
  const sealed = await sealStoredChannelSecrets(deps);
  if (sealed) deps.log.log('info', `sealed ${sealed} channel secret(s) stored in plain text by an earlier version`, { sealed });
  const app = createApp(deps);
  // As @hono/node-server's serve(), with a listen backlog that a flood of connections does not overflow.
  const server = createAdaptorServer({ fetch: app.fetch });
  server.listen({ port: cfg.PORT, host: cfg.HOST, backlog: LISTEN_BACKLOG }, () => {
    const info = server.address() as AddressInfo;
    for (const l of startupLines(cfg, info.address, info.port)) deps.log.log('info', l.msg, l.fields);
  });
  server.on('error', (e: NodeJS.ErrnoException) => {
    const msg = listenErrorMessage(e, cfg);
    process.stderr.write(`fuyuan: ${msg ?? `cannot listen: ${e.stack ?? e}`}\n`);
    void close().finally(() => process.exit(1));
  });
  // Node's own request timeout, past which it cuts a request however steadily it arrives: long enough for the
  // largest delivery at the minimum rate (adapters/node/startup.ts).
  (server as Server).requestTimeout = nodeRequestTimeoutMs(cfg, (server as Server).requestTimeout);
  // Requests Node's parser refuses (400, 408, 417, 431) are answered as problem+json too.
  answerClientErrorsAsProblems(server as Server);
  // Expect: 100-continue is answered once the body is read: a request refused on its headers never sends its body.
  continueWhenRead(server as Server);
  // Connections in all and per address, so a flood of them cannot take every file the process may open.
  const fileLimit = openFileLimit();
  const bounds = connectionBounds(cfg, fileLimit);
  // A refusal answered before the body is read reaches a client that sends its whole body first (adapters/node/linger.ts).
  const lingering = lingerOnClose(server as Server);
  boundConnections(server as Server, bounds, lingering, { log: deps.log });
  deps.log.log('info', `connections: at most ${bounds.total} at once, ${bounds.perAddress} from one address (open-file limit ${fileLimit ?? 'unknown'})`, {
    ...bounds,
    fileLimit,
  });
  // Leases of a gateway or CLI that died mid-send (a kill -9 during a court callback) are released now, so that
  // court's queue goes on at once instead of waiting out the five-minute lease.
  await reclaimLeases(deps, deps.clock.now(), nodeHolderIsGone).catch((e) => deps.log.log('error', 'lease reclaim failed', { error: String(e) }));
  // The sweep (reminders, chases, overdue items, ledgers, outbox delivery) on a timer; never two at once. First a
  // check of the holiday data's version, so the deadlines are re-planned at start after an upgrade.
  let sweeping: Promise<void> | undefined = recomputeOnHolidayDataChange(deps, deps.clock.now())
    .then((r) => {
      if (r.recomputed) deps.log.log('info', 'holiday data changed: deadlines re-planned', r);
    })
    .catch((e) => deps.log.log('error', 'holiday data check failed', { error: String(e) }))
    .finally(() => (sweeping = undefined));
  const timer =
    cfg.SWEEP_INTERVAL_SECONDS > 0
      ? setInterval(() => {
          if (sweeping || isDraining(deps)) return;
          const now = deps.clock.now();
          sweeping = reclaimLeases(deps, now, nodeHolderIsGone)
            .then(() => sweep(deps, now))
            .then((r) => {
              const busy = Object.values(r.steps).some((s) => !s.ok || Object.values(s.report ?? {}).some((n) => n > 0));
              if (busy) deps.log.log('info', 'sweep', r as unknown as Record<string, unknown>);
            })
            .catch((e) => deps.log.log('error', 'sweep failed', { error: String(e) }))
            .finally(() => (sweeping = undefined));
        }, cfg.SWEEP_INTERVAL_SECONDS * 1000)
      : undefined;
  // Shutdown (SIGTERM, SIGINT): refuse new deliveries (503 shutting-down, Connection: close on every answer), stop
  // accepting connections, let the requests in flight and the sweep under way finish within the grace period; past
  // it, cut the rest, release this process's outbox leases (their rows are sent again, at least once) and exit 1.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    beginDraining(deps);
    if (timer) clearInterval(timer);
    deps.log.log('info', `shutting down (${signal}): finishing requests in flight, up to ${cfg.SHUTDOWN_GRACE_SECONDS} s`);
    const closed = new Promise<void>((r) => server.close(() => r()));
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    // A refused client still sending is no work in flight: it does not hold the process (adapters/node/linger.ts).
    lingering.stop();
    let cut = false;
    const grace = new Promise<void>((r) =>
      setTimeout(() => {
        cut = true;
        r();
      }, cfg.SHUTDOWN_GRACE_SECONDS * 1000).unref(),
    );
    void Promise.race([Promise.all([closed, sweeping ?? Promise.resolve()]), grace]).then(async () => {
      if (cut) {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        await releaseLeases(deps).catch(() => undefined);
        deps.log.log('error', `shutdown grace of ${cfg.SHUTDOWN_GRACE_SECONDS} s ran out: requests or a callback in flight were cut`);
      }
      // Every committed batch already signed its head; this signs one more only if something was left unsigned.
      // Bounded: a write cut mid-way may still hold the write lock.
      await Promise.race([
        deps.writer.checkpoint().catch((e) => deps.log.log('error', 'audit checkpoint at shutdown failed', { error: String(e) })),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]);
      // The writer thread closes the file (SQLite checkpoints its WAL into it), bounded as the checkpoint is.
      await Promise.race([close(), new Promise((r) => setTimeout(r, 2000).unref())]);
      process.exit(cut ? 1 : 0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`fuyuan: failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
