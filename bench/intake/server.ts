/**
 * The intake benchmark's server process: the real Node gateway (nodeDeps + createApp, as `npm start` builds
 * it) plus ONE route that exists only here, POST /bench/ceiling: the same stack (Hono, the same middleware,
 * the same multipart parser, the same blob store, the same libSQL database) storing the same bytes in one
 * batch, with no verification at all (no schema, no sender, no certificate, no signature, no digest check,
 * no dedupe, no audit, no receipt). Its throughput is the ceiling intake is compared with. POST
 * /bench/ceiling-grouped stores the same through intake's write path (announced once the body is in, as intake
 * announces a delivery, then writer.optimistic: concurrent writes share one transaction), so the bench can also
 * say how intake compares with storage that commits in groups too.
 *
 * Environment (set by bench/intake/index.ts): DATA_DIR (fresh temp dir; the database is file:<DATA_DIR>/fuyuan.db),
 * BENCH_SENDER_CODE and BENCH_SENDER_CA (a PEM file): the sender is registered with the real registerSender
 * before the server listens. Prints `BENCH_PORT=<port>` on stdout once it listens on 127.0.0.1. GET /bench/usage
 * says what the process has spent so far (CPU of all threads and of the main thread alone, bytes written to storage,
 * transactions; the main thread's wait for a core and its event loop's idle time; the database write thread's time by
 * phase), so each route's cost per delivery can be printed beside its throughput.
 */
import { readFileSync } from 'node:fs';
import { performance as nodePerformance } from 'node:perf_hooks';
import { serve } from '@hono/node-server';
import { bodyLimit } from 'hono/body-limit';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createApp } from '../../src/app.js';
import { parseNodeConfig } from '../../adapters/node/config.js';
import { nodeDeps } from '../../adapters/node/deps.js';
import { registerSender } from '../../src/services/senders.js';
import { newId } from '../../src/lib/ids.js';
import { Problem } from '../../src/lib/problem.js';
import { countTransactions } from '../../adapters/db/count-transactions.js';

import type { Context } from 'hono';
import type { SignedEnvelope } from '../../src/intake/envelope.js';

/** The ceiling's own row: the envelope text and which blob it stored (the minimum a delivery row holds). */
const benchCeiling = sqliteTable('bench_ceiling', {
  id: text('id').primaryKey(),
  envelope: text('envelope').notNull(),
  blobSha256: text('blob_sha256').notNull(),
  arrivedAt: integer('arrived_at', { mode: 'timestamp_ms' }).notNull(),
});

interface ClaimedManifest {
  documents?: { attachments?: { id: string; sha256: string; mediaType: string }[] }[];
}

async function main() {
  const cfg = parseNodeConfig({ ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL || 'warn' });
  const { deps, client, close } = await nodeDeps(cfg);
  await client.execute(
    'CREATE TABLE IF NOT EXISTS bench_ceiling (id text PRIMARY KEY NOT NULL, envelope text NOT NULL, blob_sha256 text NOT NULL, arrived_at integer NOT NULL)',
  );

  const code = process.env.BENCH_SENDER_CODE;
  const caFile = process.env.BENCH_SENDER_CA;
  if (!code || !caFile) throw new Error('BENCH_SENDER_CODE and BENCH_SENDER_CA must be set');
  await registerSender(deps, { code, type: 'court', name: '基准测试法院 (bench court)', caPem: readFileSync(caFile, 'utf8') }, 'bench');

  const app = createApp(deps);
  const format = deps.envelopes.find((f) => f.mediaTypes.includes('multipart/form-data'))!;
  // What this process has spent so far: CPU (all threads) and, on Linux, bytes it caused to be written to storage
  // (the database file and its WAL; /proc/self/io write_bytes). The load generator reads it around each phase.
  // Every transaction of the server goes through deps.db.batch: count them, so each route's deliveries per
  // transaction (how well its writes were grouped) is measured, not assumed.
  const transactions = countTransactions(deps.db);
  app.get('/bench/usage', (c) => {
    const cpu = process.cpuUsage();
    let writeBytes: number | null = null;
    try {
      const m = /^write_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
      writeBytes = m ? Number(m[1]) : null;
    } catch {
      writeBytes = null; // not Linux
    }
    // The main thread (this handler runs on it): its CPU and how long it waited, runnable, for a core. Linux's
    // /proc/thread-self/schedstat says both in ns (time on a CPU, time waiting on a run queue); where it is missing,
    // the CPU comes from /proc/thread-self/stat fields 14 and 15 (utime, stime) in ticks of 1/100 s (USER_HZ) and
    // the wait is unknown. Both null where /proc is missing.
    let mainThreadMicros: number | null = null;
    let mainThreadWaitMicros: number | null = null;
    try {
      const [onCpu, waited] = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
      if (Number.isFinite(onCpu) && Number.isFinite(waited)) {
        mainThreadMicros = onCpu! / 1000;
        mainThreadWaitMicros = waited! / 1000;
      }
    } catch {
      // no schedstat: the CPU from the stat ticks below, the wait unknown
    }
    if (mainThreadMicros === null) {
      try {
        const fields = readFileSync('/proc/thread-self/stat', 'utf8')
          .replace(/^.*\) /s, '')
          .split(' ');
        mainThreadMicros = (Number(fields[11]) + Number(fields[12])) * 10_000;
      } catch {
        mainThreadMicros = null;
      }
    }
    // How long the event loop sat idle, waiting for I/O with nothing to run (ms → µs).
    const loopIdleMicros = nodePerformance.eventLoopUtilization().idle * 1000;
    // The database's write thread (adapters/db/libsql-writer.ts): where its time went (µs), null without one.
    const w = deps.db.writerUsage?.();
    const writerMicros = w
      ? {
          lockWait: w.seconds.lockWait * 1e6,
          statements: w.seconds.statements * 1e6,
          commit: w.seconds.commit * 1e6,
          checkpoint: w.seconds.checkpoint * 1e6,
          checkpoints: w.checkpoints,
        }
      : null;
    return c.json({
      cpuMicros: cpu.user + cpu.system,
      mainThreadMicros,
      mainThreadWaitMicros,
      loopIdleMicros,
      writeBytes,
      transactions: transactions.n,
      writerMicros,
    });
  });
  app.post(
    '/bench/:route{ceiling|ceiling-grouped}',
    bodyLimit({
      maxSize: deps.config.bodyLimitBytes,
      onError: () => {
        throw new Problem('payload-too-large', 'too large');
      },
    }),
    async (c) => {
      const arrivedAt = deps.clock.now();
      // The same parser as /v1/deliveries (multipart → compact JWS split, x5c decoded); nothing is verified.
      const env = await format.parse(c.req.raw, { maxBytes: deps.config.bodyLimitBytes });
      const grouped = c.req.path.endsWith('-grouped');
      // The grouped route announces its write once the body is in, as /v1/deliveries does (writer.announce).
      return grouped ? deps.writer.announce(() => store(c, env, arrivedAt, true)) : store(c, env, arrivedAt, false);
    },
  );
  async function store(c: Context, env: SignedEnvelope, arrivedAt: Date, grouped: boolean) {
    // Blobs are content-addressed: take the digests the (unverified) manifest claims.
    const claimed = (env.manifest as ClaimedManifest).documents?.flatMap((d) => d.attachments ?? []) ?? [];
    const blobs = claimed.flatMap((a) => {
      const bytes = env.parts.get(a.id);
      return bytes ? [{ sha256: a.sha256, bytes, mediaType: a.mediaType }] : [];
    });
    const id = newId();
    const stmts = async () => [
      ...(await deps.blobs.stage(blobs)),
      deps.db.orm.insert(benchCeiling).values({ id, envelope: env.raw, blobSha256: blobs[0]?.sha256 ?? '', arrivedAt }),
    ];
    if (grouped) {
      // The same statements through intake's write path: group commit (src/services/audit.ts), no audit records.
      await deps.writer.optimistic(
        async () => ({ entries: [], build: async () => ({ items: await stmts(), result: undefined }) }),
        () => false,
        arrivedAt,
      );
    } else {
      await deps.db.batch(await stmts());
    }
    return c.json({ id, stored: blobs.length, bytes: blobs.reduce((n, b) => n + b.bytes.length, 0) }, 201);
  }

  const server = serve({ fetch: app.fetch, port: cfg.PORT, hostname: cfg.HOST }, (info) => {
    process.stdout.write(`BENCH_PORT=${info.port}\n`);
  });
  // The writer thread is let finish (a checkpoint it is running, the file's close) before the process ends.
  let stopping: Promise<void> | undefined;
  const exit = () => (stopping ??= close().finally(() => process.exit(0)));
  const stop = () => {
    server.close(() => void exit());
    // Keep-alive sockets of the load generator may hold close() open: do not wait for them long.
    setTimeout(() => void exit(), 1000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`bench server: failed to start: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
