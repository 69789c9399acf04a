/** `npm start`: the gateway on Node with the embedded libSQL file, migrations applied, ready to receive. */
import { serve } from '@hono/node-server';
import { createApp } from '../../src/app.js';
import { parseNodeConfig } from './config.js';
import { nodeDeps } from './deps.js';
import { sweep } from '../../src/jobs/sweep.js';
import { checkpointNow } from '../../src/services/audit.js';

async function main() {
  let cfg;
  try {
    cfg = parseNodeConfig(process.env);
  } catch (e) {
    process.stderr.write(`fuyuan: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const { deps, client } = await nodeDeps(cfg);
  const app = createApp(deps);
  const server = serve({ fetch: app.fetch, port: cfg.PORT, hostname: cfg.HOST }, (info) => {
    deps.log.log('info', `fuyuan gateway listening on http://${info.address}:${info.port} with database ${cfg.DATABASE_URL.replace(/\?.*$/, '')}`, {
      address: info.address,
      port: info.port,
      database: cfg.DATABASE_URL.replace(/\?.*$/, ''),
      dataDir: cfg.DATA_DIR,
    });
  });
  // The sweep (reminders, chases, overdue items, ledgers, outbox delivery) on a timer; never two at once.
  let sweeping = false;
  const timer =
    cfg.SWEEP_INTERVAL_SECONDS > 0
      ? setInterval(() => {
          if (sweeping) return;
          sweeping = true;
          sweep(deps, deps.clock.now())
            .then((r) => {
              const busy = Object.values(r.steps).some((s) => !s.ok || Object.values(s.report ?? {}).some((n) => n > 0));
              if (busy) deps.log.log('info', 'sweep', r as unknown as Record<string, unknown>);
            })
            .catch((e) => deps.log.log('error', 'sweep failed', { error: String(e) }))
            .finally(() => (sweeping = false));
        }, cfg.SWEEP_INTERVAL_SECONDS * 1000)
      : undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    server.close(() => {
      // Every committed batch already signed its head; this signs one more only if something was left unsigned.
      checkpointNow(deps)
        .catch((e) => deps.log.log('error', 'audit checkpoint at shutdown failed', { error: String(e) }))
        .finally(() => {
          client.close();
          process.exit(0);
        });
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`fuyuan: failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
