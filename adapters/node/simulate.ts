/**
 * `npm run simulate`: several courts and regions over realistic traffic through the real API of a RUNNING
 * gateway (FUYUAN_URL, default http://127.0.0.1:8787; DATA_DIR / DATABASE_URL as for `npm start`, like
 * `npm run demo`): signed deliveries (complaint copies, summonses, judgments, rulings and mediation with outcomes,
 * appeals from the intermediate court), the justice bureau assigning queued cases, hearings and the steps after a
 * judgment, then the shared statistics (/v1/statistics) of the regions. Deliveries are signed "now" (issuedAt must be
 * within the gateway's clock skew); the simulated timeline lives in the documents (hearing dates, effective dates).
 *
 *   npm run simulate -- [--cases 40] [--seed 1]          live traffic through the API
 *   npm run simulate -- --history [--cases 150] [--days 365]   a year lived day by day on an advancing clock
 *                                                          (simulate-history.ts: the gateway in this process)
 *   npm run simulate -- --bulk 100000 [--years 5]        a large history written directly into the database
 *                                                          (writeBulkHistory below; the gateway may stay up)
 *
 * Deterministic: every choice comes from a seeded PRNG (mulberry32) or a hash of the row number and the seed.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Client } from '@libsql/client';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DOMAIN_OF, prng, runHistory } from './simulate-history.js';
import { parseNodeConfig } from './config.js';
import { nodeDeps } from './deps.js';
import { jsonLogger } from './log.js';
import { demoManifest, joseRequest, loadOrMakeCourtPki, reachGateway, rsaSigner, signManifest, type Signer } from './court-kit.js';
import { registerSender } from '../../src/services/senders.js';
import { currentDirectory, directorySnapshot, saveDirectory } from '../../src/services/directory.js';
import { DEMO_DIRECTORY_DATA, isActiveOn } from '../../src/domain/routing/index.js';
import { addDays, beijingDate, beijingInstant, isoDate } from '../../src/domain/calendar/index.js';
import type { Manifest } from '../../schemas/api/manifest.js';

const say = (s: string) => process.stdout.write(s + '\n');

const bj = beijingDate;

async function live(base: string, cases: number, seed: number) {
  const cfg = parseNodeConfig(process.env);
  const { deps, close } = await nodeDeps(cfg, { log: jsonLogger('warn') });
  if ((await directorySnapshot(deps)).version === 0) await saveDirectory(deps, DEMO_DIRECTORY_DATA, 'simulator', 'demo directory for the simulator');
  const dir = await currentDirectory(deps);
  const court = async (code: string, name: string): Promise<{ code: string; name: string; signer: Signer }> => {
    const { ca, leaf } = loadOrMakeCourtPki(join(cfg.DATA_DIR, 'sim-courts', code), `${name} 模拟CA (simulator)`, name);
    await registerSender(deps, { code, type: 'court', name, caPem: ca.certPem }, 'simulator');
    return { code, name, signer: await rsaSigner(leaf) };
  };
  const courts = { first: await court('court-longyou', '浙江省龙游县人民法院'), second: await court('court-quzhou-intermediate', '浙江省衢州市中级人民法院') };
  const admin = (actor: string) => ({
    authorization: `Bearer ${deps.config.adminToken}`,
    'x-actor': encodeURIComponent(actor),
    'content-type': 'application/json',
  });
  await close();

  const r = prng(seed);
  const run = `${seed}-${Date.now().toString(36)}`;
  const regions = ['330802', '330803'];
  const units = (region: string) => dir.index.unitsInRegion(region).filter((u) => u.kind === 'department');
  const stats = { pushed: 0, refused: 0, queued: 0, assigned: 0, steps: 0, judgments: 0, appeals: 0 };
  let n = 0;
  const push = async (court: 'first' | 'second', m: Manifest) => {
    const res = await fetch(joseRequest(`${base}/v1/deliveries`, await signManifest(m, courts[court].signer)));
    const body = (await res.json()) as { receipt?: { documents: { id: string; routing: { caseId: string | null; status: string } }[] }; detail?: string };
    if (res.status !== 201 || !body.receipt) {
      stats.refused++;
      say(`  ✗ ${m.documents[0]!.type} ${m.documents[0]!.case?.caseNumber}: ${res.status} ${body.detail ?? ''}`);
      return null;
    }
    stats.pushed++;
    return body.receipt.documents[0]!;
  };
  const step = async (caseId: string, kind: string, body: unknown, actor: string) => {
    const res = await fetch(`${base}/v1/cases/${caseId}/steps/${kind}`, { method: 'POST', headers: admin(actor), body: JSON.stringify(body) });
    if (res.status === 201) stats.steps++;
    else say(`  ✗ step ${kind}: ${res.status} ${((await res.json()) as { detail?: string }).detail ?? ''}`);
  };
  const today = bj(new Date());
  const year = Number(today.slice(0, 4));
  for (let i = 0; i < cases; i++) {
    const region = r.pick(regions);
    const unit = r.pick(units(region));
    const domain = DOMAIN_OF[unit.id.split('-').slice(1).join('-')] ?? '其他';
    const caseNumber = `(${year})浙0825行初${run}-${i + 1}号`;
    // 1 in 12 complaints names the defendant as the court wrote it, not as the directory does: the bureau assigns.
    const written = r.chance(1 / 12) ? `${unit.name.replace(/^衢州市/, '')}（原名称）` : unit.name;
    const base0 = (type: Manifest['documents'][number]['type'], court: 'first' | 'second' = 'first', num = caseNumber) => {
      const m = demoManifest({
        messageId: `sim-${run}-${++n}`,
        senderCode: courts[court].code,
        issuedAt: new Date(),
        type,
        caseNumber: num,
        defendant: written,
        regionCode: region,
      });
      const d = m.documents[0]!;
      d.case!.court = { code: courts[court].code, name: courts[court].name };
      d.case!.challengedAct.domain = domain;
      d.case!.challengedAct.actedOn = addDays(today, -60 - Math.floor(r.next() * 300));
      delete d.outcome;
      return m;
    };
    const complaint = await push('first', base0('complaint_copy'));
    if (!complaint?.routing.caseId) continue;
    const caseId = complaint.routing.caseId;
    if (complaint.routing.status === 'queued') {
      stats.queued++;
      const q = (await (await fetch(`${base}/v1/queue?status=open&limit=500`, { headers: admin('司法局 分办员') })).json()) as {
        items: { id: string; caseId: string | null }[];
      };
      const item = q.items.find((x) => x.caseId === caseId);
      if (item) {
        const res = await fetch(`${base}/v1/queue/${item.id}/assign`, {
          method: 'POST',
          headers: admin('司法局 分办员'),
          body: JSON.stringify({ assignments: [{ unitId: unit.id, role: 'lead' }], reason: '起诉状所列被告为该单位的原名称' }),
        });
        if (res.status === 200 || res.status === 201) stats.assigned++;
        else say(`  ✗ assign ${caseNumber}: ${res.status} ${((await res.json()) as { detail?: string }).detail ?? ''}`);
      } else say(`  ✗ ${caseNumber} queued but not in the open queue`);
    }
    const clerk = `${unit.name} 法制科`;
    if (r.chance(0.9)) await step(caseId, 'answer_filed', { filedOn: today }, clerk);
    if (r.chance(0.85)) {
      const hearingOn = addDays(today, 20 + Math.floor(r.next() * 40));
      const summons = base0('summons');
      summons.documents[0]!.hearing = { at: `${hearingOn}T09:30:00+08:00`, place: '龙游县人民法院第三法庭' };
      await push('first', summons);
      const head = r.chance(0.7);
      await step(
        caseId,
        'hearing_held',
        {
          heldOn: hearingOn,
          headAppeared: head,
          ...(head ? { headName: '局长', principal: r.chance(0.3) } : {}),
          spoke: head,
          agents: r.chance(0.05) ? [] : [{ name: '法制科工作人员', kind: 'staff' }],
        },
        clerk,
      );
    }
    if (r.chance(0.8)) {
      const x = r.next();
      const result = x < 0.15 ? 'loss' : x < 0.65 ? 'win' : x < 0.9 ? 'withdrawal' : 'mediation';
      const type = result === 'mediation' ? 'mediation' : result === 'withdrawal' ? 'ruling' : r.chance(0.85) ? 'judgment' : 'ruling';
      const m = base0(type);
      const effectiveOn = addDays(today, 16);
      m.documents[0]!.outcome = {
        result,
        ...(result === 'loss'
          ? {
              lossKind: r.pick(['revoke', 'revoke', 'confirm_illegal', 'change', 'order_performance'] as const),
              effectiveOn,
              performanceDueOn: addDays(effectiveOn, 60),
            }
          : { effectiveOn }),
      };
      await push('first', m);
      stats.judgments++;
      if (result === 'loss') {
        if (r.chance(0.3)) {
          const appeal = base0('appeal', 'second', `(${year})浙08行终${run}-${i + 1}号`);
          appeal.documents[0]!.case!.instance = 'second';
          appeal.documents[0]!.case!.priorCaseNumbers = [caseNumber];
          appeal.documents[0]!.case!.priorCourtCode = courts.first.code;
          await push('second', appeal);
          stats.appeals++;
        } else {
          await step(caseId, 'no_appeal_reasons', { reasons: '服判息诉' }, clerk);
          if (r.chance(0.8)) await step(caseId, 'loss_report', { facts: '基本案情', result: '判决结果', recommendations: '整改措施', other: '无' }, clerk);
        }
      }
    }
    if ((i + 1) % 10 === 0) say(`  … ${i + 1}/${cases} cases`);
  }
  say(
    `模拟完成 simulated ${cases} cases: ${stats.pushed} deliveries (${stats.refused} refused), ${stats.queued} queued → ${stats.assigned} assigned by the bureau, ${stats.steps} steps, ${stats.judgments} outcomes, ${stats.appeals} appeals`,
  );
  const s = await fetch(`${base}/v1/statistics?period=${year}&region=${regions.join(',')}`, { headers: admin('模拟器 simulator') });
  if (s.status === 200) {
    const o = (await s.json()) as { figures: { name: { zh: string }; numerator: number; denominator: number | null; rate: number | null }[] };
    say(`${year} 统计 statistics (柯城区、衢江区):`);
    for (const f of o.figures)
      say(
        `  ${f.name.zh.padEnd(12, '　')} ${f.numerator}${f.denominator === null ? '' : ` / ${f.denominator}`}${f.rate === null ? '' : ` = ${(f.rate * 100).toFixed(1)}%`}`,
      );
  } else say(`(statistics not available: ${s.status})`);
}

async function bulk(cases: number, years: number, seed: number) {
  const cfg = parseNodeConfig(process.env);
  const { deps, client, close } = await nodeDeps(cfg, { log: jsonLogger('warn') });
  if ((await directorySnapshot(deps)).version === 0) await saveDirectory(deps, DEMO_DIRECTORY_DATA, 'simulator', 'demo directory for the simulator');
  const dir = await currentDirectory(deps);
  const regions = ['330802', '330803'].map((code) => ({
    code,
    units: dir.index
      .unitsInRegion(code)
      .filter((u) => u.kind === 'department')
      .map((u) => u.id),
  }));
  const offset = Number((await client.execute("select count(*) as n from cases where id like 'bulk-%'")).rows[0]!.n);
  const now = new Date();
  const r = await writeBulkHistory(client, {
    cases,
    docsPerCase: 6,
    regions,
    fromYear: Number(bj(now).slice(0, 4)) - years + 1,
    until: now,
    seed,
    offset,
    log: say,
  });
  say(
    `批量写入 bulk history: ${r.cases.toLocaleString('en')} cases, ${r.documents.toLocaleString('en')} documents in ${r.seconds.toFixed(1)} s (after ${offset.toLocaleString('en')} earlier bulk cases)`,
  );
  // Written by SQL inside SQLite, past the audited write path: the audit log does not commit to these rows, and
  // `audit verify` names them (it is not weakened for them). A database for the statistics at scale, not for service.
  say('注意 note: bulk rows are not in the audit log, so `audit verify` reports them as unlogged rows; use this database for benchmarks only.');
  await close();
}

// ───────────────────────────── the routing window ─────────────────────────────

/**
 * `--window WEEKS`: the routing window (分办时限, docs/domain.md §3) on simulated weeks of traffic. A gateway in this
 * process on a fresh database in a temporary directory (the running gateway and its data are not touched), whose
 * clock the simulation moves: every request goes through the app (createApp, the same routes as the server).
 * Traffic: on working days the Longyou court pushes complaint copies for Kecheng and Qujiang at office hours;
 * 1 in 6 names the defendant as the directory does not (with the region code: queued in that region), 1 in 24
 * names neither unit nor region (queued for the candidate regions, claimed by the right bureau). Each justice
 * bureau works its queue at 16:00 on working days and handles each open item with probability --handle (0.7),
 * else the next working day; the sweep runs at 09:30 every day (reminders, overdue, escalation). At the end:
 * the on-time routing rate (figure on_time_routing) and the escalations, as the statistics API reports them.
 */
async function routingWindowRun(weeks: number, seed: number, handle: number) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { createApp } = await import('../../src/app.js');
  const { sweep } = await import('../../src/jobs/sweep.js');
  const { currentCalendar } = await import('../../src/services/calendar.js');
  const dirPath = mkdtempSync(join(tmpdir(), 'fuyuan-window-'));
  let t = beijingInstant(beijingDate(new Date()), '00:00'); // today 00:00 Beijing
  const clock = { now: () => new Date(t) };
  const cfg = parseNodeConfig({
    ...process.env,
    DATA_DIR: dirPath,
    DATABASE_URL: `file:${join(dirPath, 'window.db')}`,
    ADMIN_TOKEN: 'simulate-window-admin-token',
    SWEEP_INTERVAL_SECONDS: '0',
  });
  const { deps, client, close } = await nodeDeps(cfg, { clock, log: jsonLogger('error') });
  try {
    await saveDirectory(deps, DEMO_DIRECTORY_DATA, 'simulator', 'demo directory');
    const dir = await currentDirectory(deps);
    const { ca, leaf } = loadOrMakeCourtPki(join(dirPath, 'court'), '浙江省龙游县人民法院 模拟CA (simulator)', '浙江省龙游县人民法院');
    await registerSender(deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: ca.certPem }, 'simulator');
    const signer = await rsaSigner(leaf);
    const app = createApp(deps);
    const admin = (actor: string) => ({ authorization: `Bearer ${cfg.ADMIN_TOKEN}`, 'x-actor': encodeURIComponent(actor), 'content-type': 'application/json' });
    const calendar = await currentCalendar(deps);
    const r = prng(seed);
    const regions = ['330802', '330803'];
    const truth = new Map<string, { region: string; unitId: string }>(); // caseId → where it belongs
    const counts = { pushed: 0, queued: 0, candidates: 0, assigned: 0, late: 0 };
    const at = (date: string, hh: number, mm = 0) => beijingInstant(date, `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`);
    const start = bj(t);
    let n = 0;
    for (let day = 0; day < weeks * 7; day++) {
      const date = addDays(start, day);
      t = at(date, 9, 30);
      await sweep(deps, clock.now());
      if (!calendar.isWorkingDay(date)) continue;
      const k = 2 + Math.floor(r.next() * 5); // 2–6 complaint copies a working day
      for (let j = 0; j < k; j++) {
        t = at(date, 8 + Math.floor(r.next() * 10), Math.floor(r.next() * 60));
        const region = r.pick(regions);
        const unit = r.pick(dir.index.unitsInRegion(region).filter((u) => u.kind === 'department' && isActiveOn(u, date)));
        const x = r.next();
        const kind = x < 1 / 24 ? 'nothing' : x < 1 / 24 + 1 / 6 ? 'unknown' : 'known';
        const m = demoManifest({
          messageId: `win-${++n}`,
          senderCode: 'court-longyou',
          issuedAt: clock.now(),
          caseNumber: `(${date.slice(0, 4)})浙0825行初W${n}号`,
          defendant: unit.name,
          regionCode: region,
        });
        const c = m.documents[0]!.case!;
        if (kind !== 'known') {
          const written = `${unit.name.replace(/^衢州市(柯城区|衢江区)?/, '')}（原名称）`;
          c.defendants = [kind === 'unknown' ? { name: written, regionCode: region } : { name: written }];
          c.challengedAct.actingUnits = [{ name: written }];
        }
        const res = await app.request(joseRequest('http://sim/v1/deliveries', await signManifest(m, signer)));
        if (res.status !== 201) throw new Error(`delivery refused: ${res.status} ${await res.text()}`);
        counts.pushed++;
        const doc = ((await res.json()) as { receipt: { documents: { routing: { caseId: string; status: string; regionCode: string | null } }[] } }).receipt
          .documents[0]!;
        if (doc.routing.status === 'queued') {
          counts.queued++;
          if (!doc.routing.regionCode) counts.candidates++;
          truth.set(doc.routing.caseId, { region, unitId: unit.id });
        }
      }
      // Each bureau at 16:00 works what is open in its queue (an item it does not get to waits a working day).
      t = at(date, 16);
      for (const region of regions) {
        const q = (await (
          await app.request(`http://sim/v1/queue?status=open&limit=500&region=${region}`, { headers: admin(`${region} 司法局 分办员`) })
        ).json()) as { items: { id: string; caseId: string; regionCode: string | null; overdue: boolean }[] };
        for (const item of q.items) {
          const want = truth.get(item.caseId);
          if (!want || want.region !== region || !r.chance(handle)) continue;
          if (!item.regionCode) {
            const claim = await app.request(`http://sim/v1/queue/${item.id}/claim`, {
              method: 'POST',
              headers: admin(`${region} 司法局 分办员`),
              body: JSON.stringify({ regionCode: region, reason: '经核实属本区' }),
            });
            if (claim.status !== 200) throw new Error(`claim refused: ${claim.status} ${await claim.text()}`);
          }
          const res = await app.request(`http://sim/v1/queue/${item.id}/assign`, {
            method: 'POST',
            headers: admin(`${region} 司法局 分办员`),
            body: JSON.stringify({ assignments: [{ unitId: want.unitId, role: 'lead' }], reason: '起诉状所列被告为该单位的原名称' }),
          });
          if (res.status !== 200) throw new Error(`assignment refused: ${res.status} ${await res.text()}`);
          counts.assigned++;
          if (item.overdue) counts.late++;
        }
      }
    }
    const end = addDays(start, weeks * 7 - 1);
    t = at(addDays(end, 1), 9, 30);
    await sweep(deps, clock.now());
    const s = (await (await app.request(`http://sim/v1/statistics?period=${start}..${end}`, { headers: admin('模拟器 simulator') })).json()) as {
      figures: { id: string; numerator: number; denominator: number | null; rate: number | null }[];
      byRegion: { regionCode: string; figures: { id: string; numerator: number; denominator: number | null; rate: number | null }[] }[];
    };
    const fig = (fs: typeof s.figures) => fs.find((f) => f.id === 'on_time_routing')!;
    // Escalated: the sweep's overdue record of a routing window names a government office among its recipients.
    const escalations = Number(
      (
        await client.execute(
          "select count(*) as n from audit_log a join obligations o on a.subject = 'obligation:' || o.id where a.action = 'obligation.overdue' and o.kind = 'unit_determination' and (a.data like '%gov-office%')",
        )
      ).rows[0]!.n,
    );
    const overdue = Number(
      (await client.execute("select count(*) as n from obligations where kind = 'unit_determination' and status in ('overdue', 'remedied')")).rows[0]!.n,
    );
    const all = fig(s.figures);
    say(`分办时限 routing window, ${weeks} weeks ${start}..${end} (seed ${seed}, a bureau handles an open item on a working day with p = ${handle}):`);
    say(
      `  ${counts.pushed} complaint copies, ${counts.queued} queued (${counts.candidates} with no region named), ${counts.assigned} assigned by the bureaus (${counts.late} after their window)`,
    );
    say(`  按时分办率 on-time routing rate: ${all.numerator} / ${all.denominator}${all.rate === null ? '' : ` = ${(all.rate * 100).toFixed(1)}%`}`);
    for (const b of s.byRegion) {
      const f = fig(b.figures);
      say(`    ${b.regionCode}: ${f.numerator} / ${f.denominator}${f.rate === null ? '' : ` = ${(f.rate * 100).toFixed(1)}%`}`);
    }
    say(`  windows missed: ${overdue}, escalated to the government office by the sweep: ${escalations}`);
    say(
      `BENCH ${JSON.stringify({ name: 'routing-window', weeks, seed, handle, pushed: counts.pushed, queued: counts.queued, onTime: all.numerator, due: all.denominator, rate: all.rate, missed: overdue })}`,
    );
  } finally {
    await close();
    rmSync(dirPath, { recursive: true, force: true });
  }
}

const positiveInt = (what: string, max: number) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max)
    throw new InvalidArgumentError(`${what} must be a whole number from 1 to ${max.toLocaleString('en')}, not "${v}"`);
  return Number(v);
};

/** The simulator's command line (commander): --help, and every number checked before anything runs. */
export function simulateProgram(out: (s: string) => void = say) {
  return new Command('npm run simulate --')
    .description(
      'realistic traffic for the demo setting (龙游县人民法院; 柯城区 330802, 衢江区 330803).\n' +
        'live (default): deliveries signed now, through the API of a RUNNING gateway at FUYUAN_URL (default http://127.0.0.1:8787).\n' +
        '--history: a year lived day by day on an advancing clock, the gateway in this process; then npm start shows it on /web.\n' +
        '--bulk N: a large history written straight into the database (for the statistics at scale; not audited, so `audit verify` names its rows).\n' +
        'All modes write to the database of DATA_DIR / DATABASE_URL: use the same values as npm start.',
    )
    .addOption(new Option('--cases <n>', 'first-instance cases (live: 40; history: 150 over the span)').argParser(positiveInt('--cases', 100_000)))
    .addOption(new Option('--seed <n>', 'seed of every random choice').argParser(positiveInt('--seed', 2 ** 31)).default(1))
    .addOption(new Option('--history', 'a year of traffic on an advancing clock').conflicts('bulk'))
    .addOption(
      new Option('--days <n>', 'history: days back from today (a shorter span than 100 days is preceded by earlier traffic)')
        .argParser(positiveInt('--days', 3660))
        .default(365),
    )
    .addOption(new Option('--bulk <n>', 'bulk: cases written directly into the database').argParser(positiveInt('--bulk', 10_000_000)).conflicts('cases'))
    .addOption(new Option('--years <n>', 'bulk: years the history spans').argParser(positiveInt('--years', 30)).default(5))
    .addOption(
      new Option('--window <weeks>', 'the routing window (分办时限) on simulated weeks, in-process on a temporary database').argParser(
        positiveInt('--window', 520),
      ),
    )
    .addOption(
      new Option('--handle <p>', 'window: chance a bureau handles an open item on a working day')
        .argParser((v) => {
          const x = Number(v);
          if (!(x > 0 && x <= 1)) throw new InvalidArgumentError(`--handle must be a number in (0, 1], not "${v}"`);
          return x;
        })
        .default(0.7),
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.replace(/\n$/, '')), writeErr: (s) => out(s.replace(/\n$/, '')) })
    .showHelpAfterError('(add --help for usage)');
}

async function main(): Promise<number> {
  const program = simulateProgram();
  try {
    program.parse(process.argv.slice(2), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' ? 0 : 2;
    throw e;
  }
  const o = program.opts<{ cases?: number; seed: number; history?: boolean; days: number; bulk?: number; years: number; window?: number; handle: number }>();
  if (o.window) {
    await routingWindowRun(o.window, o.seed, o.handle);
    return 0;
  }
  if (o.bulk) {
    await bulk(o.bulk, o.years, o.seed);
    return 0;
  }
  if (o.history) {
    const cases = o.cases ?? 150;
    say(
      `模拟一年 history: ${cases} cases over ${o.days} days, day by day (the gateway in this process, database ${parseNodeConfig(process.env).DATABASE_URL})`,
    );
    const r = await runHistory(parseNodeConfig(process.env), { cases, days: o.days, seed: o.seed }, say);
    say(
      `模拟完成 ${r.from} … ${r.to}: ${r.deliveries} deliveries (${r.refused} refused), ${r.queued} queued → ${r.assignedByBureau} assigned by the bureau, ` +
        `${r.pulls} pulls, ${r.confirmations} confirmations, ${r.steps} steps (${r.stepsRefused} refused), ${r.hearings} hearings, ${r.outcomes} outcomes, ${r.appeals} appeals, ${r.sweeps} sweeps`,
    );
    say('open the pages: npm start, then http://127.0.0.1:8787/web (sign in with a client from npm run cli -- client add --help)');
    return r.refused === 0 && r.sweepFailures === 0 ? 0 : 1;
  }
  const base = await reachGateway(say);
  await live(base, o.cases ?? 40, o.seed);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}

// ───────────────────────────── bulk history ─────────────────────────────

/**
 * A large, deterministic history written straight into the database (for --bulk and bench/stats): cases, their
 * documents (complaint copy, summonses, the outcome), lead assignments, hearing reports and answer obligations —
 * the same tables and columns intake and the steps write — generated inside SQLite (INSERT … SELECT over a
 * recursive CTE: one multi-row statement per table and chunk, the chunk's statements in one transaction), so a
 * million cases take minutes. Not written (the statistics never read them): routing decisions, audit records,
 * reminders, and deliveries beyond one synthetic row per region: the database size per case is a lower bound.
 */

export interface BulkOptions {
  cases: number;
  /** Documents per case (the last one states the outcome when the case is concluded). */
  docsPerCase: number;
  /** Region codes (6 digits) and the unit ids of each. */
  regions: { code: string; units: string[] }[];
  /** First Beijing year of the history; cases spread evenly up to `until`. */
  fromYear: number;
  until: Date;
  seed: number;
  /** Number the cases from here (to add to an existing history). */
  offset?: number;
  chunk?: number;
  log?: (line: string) => void;
}

const DOMAINS = ['自然资源', '住房城乡建设', '市场监管', '人力资源社会保障', '综合行政执法', '生态环境', '公安', '农业农村', '交通运输', '卫生健康'];
const sqlList = (xs: string[]) => xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ');

/** h(x, salt) in [0, m): a multiplicative hash of the row number, the seed and a salt. */
const h = (x: string, salt: number, m: number, seed: number) => `(abs((${x}) * 2654435761 + ${seed * 7919 + salt * 40503}) % 4294967291 % ${m})`;

export async function writeBulkHistory(client: Client, o: BulkOptions): Promise<{ cases: number; documents: number; seconds: number }> {
  const t0 = performance.now();
  const start = beijingInstant(isoDate(o.fromYear, 1, 1), '00:00').getTime();
  const span = o.until.getTime() - 90 * 86_400_000 - start; // the newest cases are ~3 months old
  const R = o.regions.length;
  const U = Math.max(...o.regions.map((r) => r.units.length));
  const offset = o.offset ?? 0;
  const chunk = o.chunk ?? 50_000;
  const D = o.docsPerCase;
  const S = o.seed;
  await client.execute('create temp table if not exists bulk_regions (i integer primary key, code text not null)');
  await client.execute('create temp table if not exists bulk_units (r integer, k integer, id text not null, primary key (r, k))');
  await client.execute('delete from bulk_regions');
  await client.execute('delete from bulk_units');
  await client.batch(
    [
      ...o.regions.map((r, i) => ({ sql: 'insert into bulk_regions values (?, ?)', args: [i, r.code] })),
      ...o.regions.flatMap((r, i) =>
        Array.from({ length: U }, (_, k) => ({ sql: 'insert into bulk_units values (?, ?, ?)', args: [i, k, r.units[k % r.units.length]!] })),
      ),
      // One synthetic delivery per region carries its bulk documents (documents.delivery_id references deliveries).
      { sql: `insert or ignore into senders (code, type, name, created_at) values ('bulk-court', 'court', '模拟法院 (bulk)', 0)`, args: [] },
      ...o.regions.map((r) => ({
        sql: `insert or ignore into deliveries (id, sender_code, message_id, content_digest, format, envelope, envelope_digest, signer_subject, signer_fingerprint, issued_at, arrived_at, receipt_id, receipt_json, receipt_jws)
              values (?, 'bulk-court', ?, '', 'jws', '', '', 'bulk', 'bulk', 0, 0, ?, '{}', '')`,
        args: [`bulk-${r.code}`, `bulk-${r.code}`, `bulk-${r.code}`],
      })),
    ],
    'write',
  );
  let done = 0;
  for (let lo = offset + 1; lo <= offset + o.cases; lo += chunk) {
    const hi = Math.min(offset + o.cases, lo + chunk - 1);
    const nums = `with recursive n(x) as (select ${lo} union all select x + 1 from n where x < ${hi})`;
    // Case x: region x % R, received at an even spread over the years, 85% first instance.
    const caseCols = `x, x % ${R} as r, ${start} + cast((x - 1) as real) * ${span} / ${offset + o.cases} + ${h('x', 1, 86_400_000, S)} as t,
        case when ${h('x', 2, 100, S)} < 85 then 'first' when ${h('x', 2, 100, S)} < 97 then 'second' else 'retrial' end as inst,
        ${h('x', 3, DOMAINS.length, S)} as dom, ${h('x', 4, U, S)} as u, ${h('x', 5, 100, S)} as res`;
    const caseNo = `printf('(%d)浙%s行%s%d号', 2017 + (x % 10), (select code from bulk_regions where i = r), case inst when 'first' then '初' when 'second' then '终' else '再' end, x)`;
    const domains = `json_array(${sqlList(DOMAINS)})`;
    // cases.last_outcome_at as intake keeps it: the arrival of the outcome document (the last one, below).
    const lastOutcome = D > 1 ? `t + ${D - 1} * 9 * 86400000` : 'null';
    await client.batch(
      [
        `${nums}, k as (select ${caseCols} from n)
         insert into cases (id, case_number, parent_case_id, court_code, region_code, instance, routing_status, facts_json, created_at, updated_at, last_outcome_at)
         select printf('bulk-%09d', x), ${caseNo}, null, 'bulk-court', (select code from bulk_regions where i = r), inst, 'assigned',
           json_object('caseNumber', ${caseNo}, 'court', json_object('code', 'bulk-court', 'name', '模拟法院'), 'instance', inst,
             'plaintiffs', json_array(json_object('name', printf('原告%d', x % 9973))),
             'defendants', json_array(json_object('name', printf('被告单位%d', u), 'regionCode', (select code from bulk_regions where i = r))),
             'challengedAct', json_object('description', printf('作出的第%d号行政处理决定', x), 'actingUnits', json_array(json_object('name', printf('被告单位%d', u))), 'kind', 'act', 'domain', json_extract(${domains}, '$[' || dom || ']'))),
           t, t, ${lastOutcome}
         from k`,
        `${nums}, k as (select ${caseCols} from n)
         insert into assignments (id, case_id, unit_id, unit_name, region_code, role, rule, article, decided_by, actor, reason, created_at, superseded_at)
         select printf('bulk-a-%09d', x), printf('bulk-%09d', x), (select id from bulk_units where bulk_units.r = k.r and bulk_units.k = k.u), printf('被告单位%d', u),
           (select code from bulk_regions where i = r), 'lead', 'R1', 'B 第三条(一)', 'rule', 'rules', '作出行政行为的单位', t, null
         from k`,
        // Documents: the complaint copy, then summonses every 9 days; the last states the outcome for a case
        // older than its last document (results: 15% loss, 55% win, 20% withdrawal, 5% mediation, 5% other).
        `${nums}, k as (select ${caseCols} from n), d(x, r, t, inst, dom, u, res, j) as (select x, r, t, inst, dom, u, res, 0 from k union all select x, r, t, inst, dom, u, res, j + 1 from d where j < ${D - 1})
         insert into documents (id, delivery_id, document_id, type, title, case_number, entry_json, entry_digest, arrived_at)
         select printf('bulk-d-%09d-%02d', x, j), 'bulk-' || (select code from bulk_regions where i = r), printf('bulk-%09d-%02d', x, j),
           case when j = 0 then 'complaint_copy' when j = ${D - 1} then (case when res < 70 then 'judgment' when res < 95 then 'ruling' else 'mediation' end) else 'summons' end,
           case when j = 0 then '行政起诉状副本' when j = ${D - 1} then '裁判文书' else '传票' end, ${caseNo},
           json_object('documentId', printf('bulk-%09d-%02d', x, j), 'type', case when j = 0 then 'complaint_copy' when j = ${D - 1} then (case when res < 70 then 'judgment' when res < 95 then 'ruling' else 'mediation' end) else 'summons' end,
             'title', '法律文书', 'case', json_object('caseNumber', ${caseNo}, 'court', json_object('code', 'bulk-court', 'name', '模拟法院'), 'instance', inst,
               'defendants', json_array(json_object('name', printf('被告单位%d', u))), 'challengedAct', json_object('description', printf('作出的第%d号行政处理决定', x), 'domain', json_extract(${domains}, '$[' || dom || ']'))),
             'outcome', case when j = ${D - 1} then json_object('result', case when res < 15 then 'loss' when res < 70 then 'win' when res < 90 then 'withdrawal' when res < 95 then 'mediation' else 'other' end,
                 'lossKind', case when res < 6 then 'revoke' when res < 8 then 'change' when res < 15 then 'confirm_illegal' end) end),
           printf('%064d', x), t + j * 9 * 86400000
         from d`,
        // Hearing reports for 70% of the cases (S 四: heads at 60%, principals at 20%).
        `${nums}, k as (select ${caseCols} from n)
         insert into case_steps (id, case_id, kind, actor_role, actor, data_json, at)
         select printf('bulk-s-%09d', x), printf('bulk-%09d', x), 'hearing_held', 'unit', 'bulk',
           json_object('heldOn', date((t + 30 * 86400000) / 1000, 'unixepoch', '+8 hours'), 'headAppeared', json(case when ${h('x', 6, 100, S)} < 60 then 'true' else 'false' end),
             'principal', json(case when ${h('x', 6, 100, S)} < 20 then 'true' else 'false' end), 'spoke', json('true'), 'agents', json_array(json_object('name', '工作人员', 'kind', 'staff'))),
           t + 31 * 86400000
         from k where ${h('x', 7, 100, S)} < 70`,
        // Answer and evidence within 15 days [ALL 第67条]: 85% done on time, 10% late, 5% never.
        `${nums}, k as (select ${caseCols} from n)
         insert into obligations (id, case_id, document_id, region_code, rule_id, kind, title_zh, title_en, party, unit_id, due_on, provisional, derivation_json, source, status, status_reason, done_at, created_at, updated_at)
         select printf('bulk-o-%09d', x), printf('bulk-%09d', x), printf('bulk-d-%09d-00', x), (select code from bulk_regions where i = r), 'answer', 'answer_and_evidence', '提交答辩状、证据和依据', 'Answer and evidence', 'unit',
           (select id from bulk_units where bulk_units.r = k.r and bulk_units.k = k.u), date((t + 15 * 86400000) / 1000, 'unixepoch', '+8 hours'), 0, '{}', 'ALL 第67条',
           case when ${h('x', 8, 100, S)} < 85 then 'done' when ${h('x', 8, 100, S)} < 95 then 'remedied' else 'overdue' end, null,
           case when ${h('x', 8, 100, S)} < 85 then t + 10 * 86400000 when ${h('x', 8, 100, S)} < 95 then t + 20 * 86400000 end, t, t
         from k`,
      ],
      'write',
    );
    done += hi - lo + 1;
    o.log?.(`bulk: ${done.toLocaleString('en')} / ${o.cases.toLocaleString('en')} cases (${Math.round((performance.now() - t0) / 1000)} s)`);
  }
  return { cases: done, documents: done * D, seconds: (performance.now() - t0) / 1000 };
}
