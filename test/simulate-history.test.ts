/**
 * `npm run simulate -- --history`: weeks of traffic on an advancing clock, through the real API, leave a database
 * that looks lived in: cases in several months, a case's timeline over several days, deadlines met, open and
 * missed, an intact audit chain. A short span here (the command's default is a year); the end is fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { parseNodeConfig } from '../adapters/node/config.js';
import { runHistory, type HistoryReport } from '../adapters/node/simulate-history.js';
import { simulateProgram } from '../adapters/node/simulate.js';
import { runCli } from '../adapters/node/cli.js';
import { loadOrMakeCourtPki } from '../adapters/node/court-kit.js';
import { T0 } from './helpers/gateway.js';

let dir: string;
let report: HistoryReport;
let db: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fuyuan-history-'));
  report = await runHistory(parseNodeConfig({ DATA_DIR: dir }), { cases: 10, days: 75, seed: 7, until: T0 });
  db = createClient({ url: `file:${join(dir, 'fuyuan.db')}` });
}, 240_000);
afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('simulate --history', () => {
  it('every delivery and step went through (the gateway accepted the simulated parties at their simulated times)', () => {
    expect(report.from).toBe('2026-09-09');
    expect(report.to).toBe('2026-11-23');
    // 75 days shown, lived after 25 days of earlier traffic (100 in all), so the span's cases reach their hearings.
    expect(report.startedOn).toBe('2026-08-15');
    expect(report.refused).toBe(0);
    expect(report.stepsRefused).toBe(0);
    expect(report.sweepFailures).toBe(0);
    expect(report.sweeps).toBe(101);
    expect(report.deliveries).toBeGreaterThan(report.outcomes + 10);
    expect(report.pulls).toBeGreaterThan(0);
    expect(report.confirmations).toBeGreaterThan(0);
  });

  it('cases arrived over the months of the span, each at its own simulated time', async () => {
    const rows = (
      await db.execute(
        "select distinct strftime('%Y-%m', arrived_at / 1000, 'unixepoch', '+8 hours') as m from deliveries where sender_code = 'court-longyou' order by m",
      )
    ).rows.map((r) => r.m);
    expect(rows).toEqual(['2026-08', '2026-09', '2026-10', '2026-11']);
    const days = Number((await db.execute("select count(distinct date(arrived_at / 1000, 'unixepoch', '+8 hours')) as n from deliveries")).rows[0]!.n);
    expect(days).toBeGreaterThan(10);
  });

  it("a case's timeline spans several days: arrival, answer and hearing on their own dates", async () => {
    const r = await db.execute(
      "select c.id, count(distinct date(s.at / 1000, 'unixepoch', '+8 hours')) as d from cases c join case_steps s on s.case_id = c.id group by c.id order by d desc limit 1",
    );
    expect(Number(r.rows[0]!.d)).toBeGreaterThanOrEqual(2);
  });

  it('deadlines were met, are open, and some were missed (the board has something to show)', async () => {
    const byStatus = Object.fromEntries(
      (await db.execute('select status, count(*) as n from obligations group by status')).rows.map((r) => [r.status, Number(r.n)]),
    );
    expect(byStatus.done).toBeGreaterThan(0);
    expect((byStatus.open ?? 0) + (byStatus.overdue ?? 0)).toBeGreaterThan(0);
  });

  it('the audit chain of the simulated year verifies', async () => {
    const out: string[] = [];
    expect(await runCli(['audit', 'verify'], { DATA_DIR: dir }, (s) => out.push(s))).toBe(0);
    expect(out.join('\n')).toMatch(/audit chain intact/);
  });
});

describe('simulate command line', () => {
  const parse = (...argv: string[]) => {
    const out: string[] = [];
    const p = simulateProgram((s) => out.push(s));
    try {
      p.parse(argv, { from: 'user' });
      return { ok: true, opts: p.opts(), text: out.join('\n') };
    } catch {
      return { ok: false, opts: {}, text: out.join('\n') };
    }
  };
  it('--help describes the three modes', () => {
    const r = parse('--help');
    expect(r.text).toMatch(/--history[\s\S]*--bulk[\s\S]*DATA_DIR/);
  });
  it('refuses a number that is not one, instead of simulating NaN cases', () => {
    const r = parse('--cases', 'abc');
    expect(r.ok).toBe(false);
    expect(r.text).toContain('--cases must be a whole number from 1 to 100,000, not "abc"');
    expect(parse('--days', '0').ok).toBe(false);
    expect(parse('--history', '--bulk', '10').text).toMatch(/cannot be used with/);
  });
  it('takes the history mode with its span', () => {
    expect(parse('--history', '--cases', '12', '--days', '90').opts).toMatchObject({ history: true, cases: 12, days: 90, seed: 1 });
  });
});

describe("simulate --history after npm run demo, in the README's order", () => {
  let own: string;
  let after: HistoryReport;
  beforeAll(async () => {
    own = mkdtempSync(join(tmpdir(), 'fuyuan-history-after-demo-'));
    // What `npm run demo` leaves: the demo court registered with its CA, made today (valid from now, not in the past year).
    const { ca } = loadOrMakeCourtPki(join(own, 'demo-court'), '浙江省龙游县人民法院 演示CA (demo)', '浙江省龙游县人民法院');
    writeFileSync(join(own, 'demo-ca.pem'), ca.certPem);
    const env = { DATA_DIR: own };
    expect(
      await runCli(
        ['sender', 'add', '--code', 'court-longyou', '--type', 'court', '--name', '浙江省龙游县人民法院', '--ca', join(own, 'demo-ca.pem')],
        env,
        () => {},
      ),
    ).toBe(0);
    after = await runHistory(parseNodeConfig(env), { cases: 24, days: 220, seed: 5, until: T0 });
  }, 400_000);
  afterAll(() => rmSync(own, { recursive: true, force: true }));

  it('every delivery is accepted, appeals to the intermediate court included (they name the first court: priorCourtCode)', () => {
    expect(after.refused).toBe(0);
    expect(after.stepsRefused).toBe(0);
    expect(after.deliveries).toBeGreaterThan(24);
    expect(after.appeals).toBeGreaterThan(0);
  });
});
