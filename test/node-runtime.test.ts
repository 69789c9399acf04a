/** The Node runtime for real: configuration, the HTTP server on loopback, the CLI, key rotation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { count } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import { parseNodeConfig } from '../adapters/node/config.js';
import { nodeDeps } from '../adapters/node/deps.js';
import { runCli } from '../adapters/node/cli.js';
import { keyFile } from '../adapters/node/keystore.js';
import { nodeRequestTimeoutMs } from '../adapters/node/startup.js';
import { expectedMigrations } from '../adapters/db/journal.js';
import { attachmentEntry, demoManifest, multipartRequest, signManifest } from '../adapters/node/court-kit.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { FixedClock, T0, silentLog } from './helpers/gateway.js';
import { verifyWithJwks } from '../src/lib/signing.js';
import * as schema from '../schemas/db/index.js';

describe('configuration', () => {
  it('defaults to the embedded libSQL file in the data directory', () => {
    const cfg = parseNodeConfig({});
    expect(cfg.DATABASE_URL).toBe('file:data/fuyuan.db');
    expect(cfg.PORT).toBe(8787);
  });
  it('a bad value stops the start with a message naming it', () => {
    expect(() => parseNodeConfig({ PORT: 'eighty', CLOCK_SKEW_SECONDS: '-5' })).toThrow(/PORT="eighty"[\s\S]*CLOCK_SKEW_SECONDS="-5"/);
    expect(() => parseNodeConfig({ DATABASE_URL: 'postgres://x' })).toThrow(/DATABASE_URL/);
  });
  it("Node's own request timeout lets the largest delivery arrive at the minimum upload rate, and is never below Node's", () => {
    const cfg = parseNodeConfig({});
    // 50 MiB at 16 KiB/s after a grace of 30 s: 3,230 s, where Node's default (300 s) would cut it after 5 minutes.
    const slowest = (cfg.UPLOAD_GRACE_SECONDS + cfg.BODY_LIMIT_BYTES / cfg.UPLOAD_MIN_BYTES_PER_SECOND) * 1000;
    expect(slowest).toBe(3_230_000);
    expect(nodeRequestTimeoutMs(cfg, 300_000)).toBeGreaterThan(slowest);
    // A small body limit and a fast minimum: Node's default stands.
    const small = parseNodeConfig({ BODY_LIMIT_BYTES: String(1024 * 1024), UPLOAD_MIN_BYTES_PER_SECOND: String(1024 * 1024) });
    expect(nodeRequestTimeoutMs(small, 300_000)).toBe(300_000);
  });
});

describe('the gateway on a real Node server, on loopback', () => {
  let dir: string;
  let server: ServerType;
  let base: string;
  let court: CourtPki;
  let ctx: Awaited<ReturnType<typeof nodeDeps>>;
  const clock = new FixedClock(T0);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fuyuan-node-'));
    const env = { DATA_DIR: dir, BODY_LIMIT_BYTES: String(256 * 1024) };
    ctx = await nodeDeps(parseNodeConfig(env), { clock, log: silentLog });
    court = await makeCourtPki('龙游县人民法院');
    const caFile = join(dir, 'court-ca.pem');
    writeFileSync(caFile, court.ca.certPem);
    const out: string[] = [];
    expect(
      await runCli(['sender', 'add', '--code', 'court-longyou', '--type', 'court', '--name', '浙江省龙游县人民法院', '--ca', caFile], env, (s) => out.push(s)),
    ).toBe(0);
    expect(out.join('\n')).toMatch(/registered court-longyou: 1 new CA/);
    server = serve({ fetch: createApp(ctx.deps).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((r) => server.once('listening', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await ctx.close(); // the writer thread has closed its files: nothing writes in the directory any more
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the signing key owner-only in the data directory', () => {
    expect(statSync(keyFile(dir)).mode & 0o777).toBe(0o600);
  });

  it('is ready (database reachable, migrations current) and answers with a request id', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      database: 'ok',
      migrations: { current: true, applied: expectedMigrations.length, expected: expectedMigrations.length },
    });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts a multipart delivery over HTTP and the receipt verifies with the served JWKS', async () => {
    const file = { id: 'a1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: new Uint8Array(100_000).fill(7) };
    const m = demoManifest({ messageId: 'http-1', senderCode: 'court-longyou', issuedAt: T0, attachments: [await attachmentEntry(file, false)] });
    const res = await fetch(multipartRequest(`${base}/v1/deliveries`, await signManifest(m, court.signer), [file]));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { receipt: unknown; jws: string };
    const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
    expect((await verifyWithJwks(body.jws, jwks as never)).payload).toEqual(body.receipt);
  });

  it('refuses a streamed (chunked) body over the limit with 413 and stores nothing', async () => {
    const before = (await ctx.deps.db.orm.select({ n: count() }).from(schema.deliveries))[0]!.n;
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(65);
    const stream = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (sent >= 1024 * 1024) return ctrl.close();
        sent += chunk.length;
        ctrl.enqueue(chunk);
      },
    });
    const res = await fetch(`${base}/v1/deliveries`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { type: string }).type).toBe('urn:fuyuan:problem:payload-too-large');
    expect((await ctx.deps.db.orm.select({ n: count() }).from(schema.deliveries))[0]!.n).toBe(before);
  });

  it('serves the OpenAPI 3.1 document and a readable reference page', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/deliveries', '/healthz', '/readyz', '/.well-known/jwks.json']));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Receipt', 'Problem']));
    const page = await (await fetch(`${base}/docs`)).text();
    expect(page).toContain('/openapi.json');
    expect(page).toContain('API 参考');
  });

  it('answers an unknown route with a problem+json 404', async () => {
    const res = await fetch(`${base}/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('CLI: audit verify passes, key rotate keeps the old key published so earlier receipts still verify', async () => {
    const env = { DATA_DIR: dir };
    const out: string[] = [];
    expect(await runCli(['audit', 'verify'], env, (s) => out.push(s))).toBe(0);
    expect(out.at(-1)).toMatch(/audit chain intact: \d+ records/);
    const [d] = await ctx.deps.db.orm.select().from(schema.deliveries);
    expect(await runCli(['key', 'rotate'], env, (s) => out.push(s))).toBe(0);
    const rotated = await nodeDeps(parseNodeConfig(env), { clock, log: silentLog });
    const jwks = await rotated.deps.keys.jwks();
    expect(jwks.keys).toHaveLength(2);
    expect((await verifyWithJwks(d!.receiptJws, jwks)).payload).toEqual(JSON.parse(d!.receiptJson));
    expect((await rotated.deps.keys.current()).kid).toBe(jwks.keys[1]!.kid);
    await rotated.close();
  });

  it('CLI: audit prove writes proofs that audit check verifies with no database, against the receipt and the JWKS', async () => {
    const env = { DATA_DIR: dir };
    const out: string[] = [];
    const [d] = await ctx.deps.db.orm.select().from(schema.deliveries);
    const receipt = JSON.parse(d!.receiptJson) as { auditHead: { seq: number } };
    const files = { inc: join(dir, 'inclusion.json'), con: join(dir, 'consistency.json'), jwks: join(dir, 'jwks.json'), receipt: join(dir, 'receipt.jws') };
    writeFileSync(files.jwks, JSON.stringify(await ctx.deps.keys.jwks()));
    writeFileSync(files.receipt, d!.receiptJws);
    expect(await runCli(['audit', 'prove', '--seq', String(receipt.auditHead.seq), '--out', files.inc], env, (s) => out.push(s))).toBe(0);
    expect(await runCli(['audit', 'prove', '--first', String(receipt.auditHead.seq), '--out', files.con], env, (s) => out.push(s))).toBe(0);
    // No DATA_DIR, no database: the files alone.
    expect(await runCli(['audit', 'check', files.inc, '--jwks', files.jwks, '--receipt', files.receipt], {}, (s) => out.push(s))).toBe(0);
    expect(out.at(-1)).toMatch(/^✓ record #\d+ \(the receipt's\) is in the audit log of \d+ records/);
    expect(await runCli(['audit', 'check', files.con, '--jwks', files.jwks, '--receipt', files.receipt], {}, (s) => out.push(s))).toBe(0);
    expect(out.at(-1)).toMatch(/extends the log of \d+ the receipt committed to/);
    // A proof with one hash changed fails.
    const bad = JSON.parse(readFileSync(files.con, 'utf8')) as { consistency: string[]; secondRootHash: string };
    bad.consistency = bad.consistency.length ? [bad.consistency[0]!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')), ...bad.consistency.slice(1)] : [];
    if (!bad.consistency.length) bad.secondRootHash = '0'.repeat(64);
    writeFileSync(files.con, JSON.stringify(bad));
    expect(await runCli(['audit', 'check', files.con, '--receipt', files.receipt], {}, (s) => out.push(s))).toBe(1);
  });

  it('CLI: usage errors exit 2', async () => {
    const out: string[] = [];
    expect(await runCli(['sender'], { DATA_DIR: dir }, (s) => out.push(s))).toBe(2);
    expect(await runCli(['sender', 'add', '--code', 'x'], { DATA_DIR: dir }, (s) => out.push(s))).toBe(2);
  });
});
