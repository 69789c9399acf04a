/**
 * The administration CLI as an operator meets it: help on every command, unknown commands named, arguments
 * validated (dates, years, roles, files) and client scopes checked against the directory and the senders (by the
 * CLI and by the admin API alike).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { runCli } from '../adapters/node/cli.js';
import { createApp } from '../src/app.js';
import { parseNodeConfig } from '../adapters/node/config.js';
import { nodeDeps } from '../adapters/node/deps.js';
import { silentLog } from './helpers/gateway.js';
import { makeCourtPki } from './helpers/pki.js';
import * as schema from '../schemas/db/index.js';

let dir: string;
let env: Record<string, string>;
const cli = async (...argv: string[]) => {
  const out: string[] = [];
  const code = await runCli(argv, env, (s) => out.push(s));
  return { code, text: out.join('\n') };
};
/** The command names listed under "Commands:" in a help text. */
const commandsOf = (help: string) =>
  help
    .split('Commands:')[1]!
    .split('\n')
    .map((l) => /^ {2}(\S+)/.exec(l)?.[1])
    .filter((c): c is string => !!c && c !== 'help');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fuyuan-cli-'));
  env = { DATA_DIR: dir };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('help', () => {
  it('every command and subcommand answers --help with its usage, exit 0, without touching the data directory', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    const groups = commandsOf(top.text);
    expect(groups).toEqual(
      expect.arrayContaining(['sender', 'key', 'audit', 'directory', 'queue', 'client', 'calendar', 'policy', 'sweep', 'backup', 'restore']),
    );
    let seen = 0;
    for (const g of groups) {
      const h = await cli(g, '--help');
      expect(h.code, g).toBe(0);
      expect(h.text, g).toContain(`Usage: npm run cli -- ${g}`);
      if (!h.text.includes('Commands:')) continue;
      for (const sub of commandsOf(h.text)) {
        const hs = await cli(g, sub, '--help');
        expect(hs.code, `${g} ${sub}`).toBe(0);
        expect(hs.text).toContain(`Usage: npm run cli -- ${g} ${sub}`);
        seen++;
      }
    }
    expect(seen).toBeGreaterThanOrEqual(15);
  });

  it("a group without its command shows the group's commands and exits 2", async () => {
    const r = await cli('calendar');
    expect(r.code).toBe(2);
    expect(r.text).toMatch(/override[\s\S]*remove[\s\S]*publish/);
  });

  it('an unknown command is named, with the nearest one suggested', async () => {
    const r = await cli('clinet', 'add');
    expect(r.code).toBe(2);
    expect(r.text).toContain("unknown command 'clinet'");
    expect(r.text).toContain('Did you mean client?');
  });
});

describe('validated arguments', () => {
  it('calendar publish abc is refused as not a year', async () => {
    const r = await cli('calendar', 'publish', 'abc');
    expect(r.code).toBe(2);
    expect(r.text).toContain('"abc" is not a year');
    expect(r.text).not.toContain('NaN');
  });

  it('a date that does not exist is refused', async () => {
    const r = await cli('calendar', 'override', '2026-02-30', '--working', 'false', '--name', '假', '--reason', '测试');
    expect(r.code).toBe(2);
    expect(r.text).toContain('"2026-02-30" is not a date');
  });

  it('--working and --role accept only their choices', async () => {
    expect((await cli('calendar', 'override', '2026-10-09', '--working', 'maybe', '--name', 'a', '--reason', 'b')).text).toMatch(
      /--working.*maybe.*not allowed|Allowed choices are true, false/,
    );
    const r = await cli('client', 'add', '--name', 'x', '--role', 'mayor', '--scope', '330802');
    expect(r.code).toBe(2);
    expect(r.text).toContain('Allowed choices are unit, justice_bureau');
  });

  it('a directory file that is not JSON, or missing, is named with the reason; nothing is loaded', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ regions: [ }');
    const r = await cli('directory', 'load', bad);
    expect(r.code).toBe(2);
    expect(r.text).toContain(`${bad} is not a JSON directory file`);
    const missing = await cli('directory', 'load', join(dir, 'none.json'));
    expect(missing.code).toBe(2);
    expect(missing.text).toContain('no such file');
    expect((await cli('directory', 'show')).text).toMatch(/^version 0/);
  });

  it('a directory file that is JSON but not a directory is refused with what is wrong', async () => {
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ regions: 'none' }));
    const r = await cli('directory', 'load', wrong);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/^error: the directory is not valid:[\s\S]*regions: .*expected array/);
  });
});

describe('client scopes must exist', () => {
  beforeAll(async () => {
    expect((await cli('directory', 'load', 'schemas/directory/demo-quzhou.json')).code).toBe(0);
    const court = await makeCourtPki('龙游县人民法院');
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, court.ca.certPem);
    expect((await cli('sender', 'add', '--code', 'court-longyou', '--type', 'court', '--name', '浙江省龙游县人民法院', '--ca', ca)).code).toBe(0);
  });

  async function clientCount() {
    const ctx = await nodeDeps(parseNodeConfig(env), { log: silentLog });
    try {
      return (await ctx.deps.db.orm.select({ n: count() }).from(schema.clients))[0]!.n;
    } finally {
      await ctx.close();
    }
  }

  it('refuses a region, unit, sender or court that does not exist, and registers none', async () => {
    const before = await clientCount();
    const cases: [string, string, RegExp][] = [
      ['justice_bureau', '339999', /no region "339999" in the directory; regions: 330802, 330803/],
      ['unit', 'no-such-unit', /no unit "no-such-unit"/],
      ['court', 'court-nowhere', /no registered sender "court-nowhere"/],
      ['procuratorate', 'court-longyou', /sender court-longyou is a court, not a procuratorate/],
      ['liaison', 'court-nowhere', /no court "court-nowhere" in the directory/],
      ['admin', '330802', /an admin client has scope \*/],
      ['unit', '*', /only an admin client has scope \*/],
    ];
    for (const [role, scope, msg] of cases) {
      const r = await cli('client', 'add', '--name', '测试', '--role', role, '--scope', scope);
      expect(r.code, `${role} ${scope}`).toBe(2);
      expect(r.text).toMatch(msg);
    }
    expect(await clientCount()).toBe(before);
  });

  it('the admin API (POST /v1/admin/clients) refuses the same scopes: 400 problem+json naming the scope, none registered', async () => {
    const before = await clientCount();
    const ctx = await nodeDeps(parseNodeConfig(env), { log: silentLog });
    try {
      const app = createApp(ctx.deps);
      const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
      const post = (body: unknown) =>
        app.request('http://gw/v1/admin/clients', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'x-actor': encodeURIComponent('测试管理员'), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const cases: [string, string, RegExp][] = [
        ['justice_bureau', '339999', /^scope "339999": no region "339999" in the directory; regions: 330802, 330803/],
        ['government_office', '000000', /^scope "000000": no region "000000"/],
        ['unit', 'no-such-unit', /^scope "no-such-unit": no unit "no-such-unit"/],
        ['court', 'court-nowhere', /^scope "court-nowhere": no registered sender "court-nowhere"/],
        ['procuratorate', 'court-longyou', /^scope "court-longyou": sender court-longyou is a court, not a procuratorate/],
        ['liaison', 'court-nowhere', /^scope "court-nowhere": no court "court-nowhere" in the directory/],
        ['admin', '330802', /^scope "330802": an admin client has scope \*/],
        ['unit', '*', /^scope "\*": only an admin client has scope \*/],
      ];
      for (const [role, scope, msg] of cases) {
        const res = await post({ name: '测试', role, scope });
        expect(res.status, `${role} ${scope}`).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        const p = (await res.json()) as { type: string; detail: string };
        expect(p.type).toBe('urn:fuyuan:problem:bad-request');
        expect(p.detail, `${role} ${scope}`).toMatch(msg);
      }
      expect(await clientCount()).toBe(before);
      // A scope that exists is registered (201), through the same route.
      const ok = await post({ name: '柯城区司法局', role: 'justice_bureau', scope: '330802' });
      expect(ok.status, await ok.clone().text()).toBe(201);
      expect(await clientCount()).toBe(before + 1);
    } finally {
      await ctx.close();
    }
  });

  it('registers a client whose scope exists', async () => {
    const r = await cli('client', 'add', '--name', '柯城区司法局', '--role', 'justice_bureau', '--scope', '330802');
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/client_id=c-/);
    expect((await cli('client', 'add', '--name', '龙游法院', '--role', 'court', '--scope', 'court-longyou')).code).toBe(0);
  });
});

describe('commands that only read write nothing to DATA_DIR (issue 20: audit verify on a full disk)', () => {
  it('audit verify, audit prove and the list commands create no admin token, secrets key or signing key', async () => {
    const own = mkdtempSync(join(tmpdir(), 'fuyuan-cli-ro-'));
    try {
      const ownEnv = { DATA_DIR: own };
      const run = async (...argv: string[]) => {
        const out: string[] = [];
        const code = await runCli(argv, ownEnv, (s) => out.push(s));
        return { code, text: out.join('\n') };
      };
      // A gateway's data directory with some history: one checkpointed write.
      expect((await run('audit', 'checkpoint')).code).toBe(0);
      expect((await run('calendar', 'publish', '2026')).code).toBe(0);
      for (const f of ['admin-token', 'secrets-key']) rmSync(join(own, f), { force: true });
      const before = readdirSync(own).sort();
      const verify = await run('audit', 'verify');
      expect(verify.text).toMatch(/audit chain intact/);
      expect(verify.code).toBe(0);
      expect((await run('audit', 'prove', '--first', '1')).code).toBe(0);
      for (const argv of [
        ['sender', 'list'],
        ['key', 'list'],
        ['directory', 'show'],
        ['queue', 'list'],
      ])
        expect((await run(...argv)).code, argv.join(' ')).toBe(0);
      expect(readdirSync(own).sort()).toEqual(before);
      expect(before).not.toContain('admin-token');
      // A command that writes still makes what it needs.
      expect((await run('audit', 'checkpoint')).code).toBe(0);
      expect(readdirSync(own)).toContain('admin-token');
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
