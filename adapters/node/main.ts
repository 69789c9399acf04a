/** `npm start`: the gateway on Node with the embedded libSQL file, migrations applied, ready to receive. */
import { serve } from '@hono/node-server';
import { createApp } from '../../src/app.js';
import { parseNodeConfig } from './config.js';
import { nodeDeps } from './deps.js';
import { sweep } from '../../src/jobs/sweep.js';
import type { Server } from 'node:http';
import { answerClientErrorsAsProblems } from './client-errors.js';
import { secureDataDir } from './data-files.js';
import { sealStoredChannelSecrets } from '../../src/services/notifications.js';

async function main() {
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
  const { deps, client } = await nodeDeps(cfg);
  const sealed = await sealStoredChannelSecrets(deps);
  if (sealed) deps.log.log('info', `sealed ${sealed} channel secret(s) stored in plain text by an earlier version`, { sealed });
  const app = createApp(deps);
  const server = serve({ fetch: app.fetch, port: cfg.PORT, hostname: cfg.HOST }, (info) => {
    deps.log.log('info', `fuyuan gateway listening on http://${info.address}:${info.port} with database ${cfg.DATABASE_URL.replace(/\?.*$/, '')}`, {
      address: info.address,
      port: info.port,
      database: cfg.DATABASE_URL.replace(/\?.*$/, ''),
      dataDir: cfg.DATA_DIR,
    });
  });
  // Requests Node's parser refuses (400, 408, 417, 431) are answered as problem+json too.
  answerClientErrorsAsProblems(server as Server);
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
      client.close();
      process.exit(0);
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
