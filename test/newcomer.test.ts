/**
 * What a newcomer meets when following the README: `npm start` says where everything is, the bare address
 * lands on the pages, a port already in use is one clear line (not a stack trace). The real entry point runs as
 * its own process on loopback, port 0, in a fresh data directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GATEWAY_NODE_FLAGS } from '../adapters/node/runtime-flags.js';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface Run {
  child: ChildProcess;
  out: string[];
  err: string[];
  exited: Promise<number | null>;
}

function start(env: Record<string, string>, script = 'adapters/node/main.ts', args: string[] = []): Run {
  const child = spawn(TSX, [script, ...args], { cwd: ROOT, env: { ...process.env, SWEEP_INTERVAL_SECONDS: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (s: string) => out.push(...s.split('\n').filter(Boolean)));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => err.push(s));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, err, exited };
}

async function until<T>(f: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting for the gateway');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npm start, as a newcomer meets it', () => {
  let dir: string;
  let run: Run;
  let lines: { msg: string; url?: string; web?: string; docs?: string; adminToken?: string }[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fuyuan-start-'));
    run = start({ DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'info' });
    lines = await until(() => {
      const parsed = run.out.map((l) => JSON.parse(l) as { msg: string });
      return parsed.some((l) => l.msg.startsWith('admin token')) ? parsed : undefined;
    });
  }, 60_000);
  afterAll(async () => {
    run.child.kill('SIGTERM');
    await run.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints where the gateway, its pages, the API reference and the admin token are', async () => {
    const listening = lines.find((l) => l.msg.startsWith('fuyuan gateway listening'))!;
    expect(listening.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const pages = lines.find((l) => l.web)!;
    expect(pages.msg).toContain(`${listening.url}/web`);
    expect(pages.msg).toContain(`${listening.url}/docs`);
    const token = lines.find((l) => l.msg.startsWith('admin token'))!;
    expect(token.adminToken).toBe(join(dir, 'admin-token'));
    expect(token.msg).toContain(join(dir, 'admin-token'));
    expect(statSync(token.adminToken!).mode & 0o777).toBe(0o600);
    // The URLs printed are the ones that answer.
    expect((await fetch(`${listening.url}/healthz`)).status).toBe(200);
    expect((await fetch(pages.docs!)).status).toBe(200);
  });

  it('the bare address lands on the pages', async () => {
    const url = lines.find((l) => l.url)!.url!;
    const res = await fetch(`${url}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/web');
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it("npm run demo with another DATA_DIR than the gateway's says so before any push, and exits 1", async () => {
    const other = mkdtempSync(join(tmpdir(), 'fuyuan-other-'));
    try {
      const demo = start({ DATA_DIR: other, FUYUAN_URL: lines.find((l) => l.url)!.url! }, 'adapters/node/demo.ts');
      expect(await demo.exited).toBe(1);
      const said = demo.out.join('\n');
      expect(said).toContain('does not use this DATA_DIR');
      expect(said).toContain(other);
      expect(said).not.toMatch(/→ 201/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 60_000);

  it('npm run demo against the gateway at FUYUAN_URL with its DATA_DIR delivers every document with a verified receipt', async () => {
    const demo = start({ DATA_DIR: dir, FUYUAN_URL: lines.find((l) => l.url)!.url! }, 'adapters/node/demo.ts');
    expect(await demo.exited).toBe(0);
    expect(demo.out.join('\n')).toContain('4/4 份文书已送达并取得经验证的回执');
  }, 60_000);

  it("npm run demo with the gateway's ADMIN_TOKEN sets itself up through the admin API, whatever its DATA_DIR (as for the Worker)", async () => {
    const other = mkdtempSync(join(tmpdir(), 'fuyuan-api-'));
    try {
      const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
      const demo = start({ DATA_DIR: other, FUYUAN_URL: lines.find((l) => l.url)!.url!, ADMIN_TOKEN: token }, 'adapters/node/demo.ts');
      expect(await demo.exited).toBe(0);
      expect(demo.out.join('\n')).toContain('4/4 份文书已送达并取得经验证的回执');
      const wrong = start({ DATA_DIR: other, FUYUAN_URL: lines.find((l) => l.url)!.url!, ADMIN_TOKEN: 'not-the-gateways-token-0000' }, 'adapters/node/demo.ts');
      expect(await wrong.exited).toBe(1);
      expect(wrong.out.join('\n')).toContain('refused ADMIN_TOKEN (401)');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 90_000);

  it('npm run demo with no gateway at FUYUAN_URL names FUYUAN_URL and DATA_DIR', async () => {
    const demo = start({ DATA_DIR: dir, FUYUAN_URL: 'http://127.0.0.1:9' }, 'adapters/node/demo.ts');
    expect(await demo.exited).toBe(1);
    const said = demo.out.join('\n');
    expect(said).toContain('cannot reach the gateway at http://127.0.0.1:9');
    expect(said).toContain('FUYUAN_URL=');
    expect(said).toContain('DATA_DIR');
  }, 60_000);
});

describe("npm start's process", () => {
  it('runs adapters/node/main.ts with the V8 flags the benches and process tests run the gateway with', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
    expect(pkg.scripts.start).toBe(`node ${GATEWAY_NODE_FLAGS.join(' ')} --import tsx adapters/node/main.ts`);
  });
});

describe('npm start on a port already in use', () => {
  let blocker: Server;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fuyuan-busy-'));
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await new Promise<void>((r) => blocker.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('says so in one line naming the port and how to choose another, and exits 1', async () => {
    const port = (blocker.address() as AddressInfo).port;
    const run = start({ DATA_DIR: dir, PORT: String(port) });
    expect(await run.exited).toBe(1);
    const err = run.err.join('');
    expect(err).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(err).toContain('PORT=');
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);
});

describe('--help on the commands a newcomer runs first (npm start, npm run demo, npm run dev:worker)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fuyuan-help-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['npm start', 'adapters/node/main.ts', /PORT, HOST/],
    ['npm run demo', 'adapters/node/demo.ts', /FUYUAN_URL/],
    ['npm run dev:worker', 'adapters/workers/dev.ts', /PORT/],
  ])(
    '%s --help prints its usage and environment and exits 0, starting and writing nothing',
    async (name, script, env) => {
      const data = join(dir, name.replace(/\W+/g, '-'));
      const run = start({ DATA_DIR: data, PORT: '0' }, script, ['--help']);
      expect(await run.exited).toBe(0);
      const said = run.out.join('\n');
      expect(said).toContain(`Usage: ${name}`);
      expect(said).toContain('Environment:');
      expect(said).toMatch(env);
      expect(existsSync(data)).toBe(false);
    },
    60_000,
  );

  it('an unknown option is refused (exit 2) with a pointer to --help', async () => {
    const run = start({ DATA_DIR: join(dir, 'bogus'), PORT: '0' }, 'adapters/node/main.ts', ['--bogus']);
    expect(await run.exited).toBe(2);
    expect(run.err.join('')).toContain("unknown option '--bogus'");
    expect(run.err.join('')).toContain('--help');
    expect(existsSync(join(dir, 'bogus'))).toBe(false);
  }, 60_000);
});
