/** `npm start`: the gateway on Node with the embedded libSQL file, migrations applied, ready to receive. */
import { serve } from '@hono/node-server';
import { createApp } from '../../src/app.js';
import { parseNodeConfig } from './config.js';
import { nodeDeps } from './deps.js';
import { sweep } from '../../src/jobs/sweep.js';
import { listenErrorMessage, startupLines } from './startup.js';

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
    for (const l of startupLines(cfg, info.address, info.port)) deps.log.log('info', l.msg, l.fields);
  });
  server.on('error', (e: NodeJS.ErrnoException) => {
    const msg = listenErrorMessage(e, cfg);
    process.stderr.write(`fuyuan: ${msg ?? `cannot listen: ${e.stack ?? e}`}\n`);
    client.close();
    process.exit(1);
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
