/**
 * `npm run simulate -- --history`: a year of realistic traffic, lived day by day on an advancing clock, so the
 * pages look like a real year (the monthly chart has twelve months, timelines span weeks, the deadline board
 * has what is due next and what was missed).
 *
 * The gateway runs in this process (createApp over the database of DATA_DIR / DATABASE_URL, as `npm start` does)
 * with a clock the simulator moves forward: every request is made at its simulated time, through the real API,
 * by the party that would make it, with its own client token (courts sign deliveries whose issuedAt is the
 * simulated time; justice bureaus confirm receipt and assign queued cases; units pull their filings and record
 * answers, hearings, appeal decisions and loss reports). The sweep runs every simulated morning (reminders, chases,
 * overdue items, ledgers). Afterwards `npm start` shows the year on /web.
 *
 * Deterministic for a seed: every choice comes from a seeded PRNG; the only outside input is the end date.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import type { Clock } from '../../src/deps.js';
import { createApp } from '../../src/app.js';
import { sweep } from '../../src/jobs/sweep.js';
import { registerClient } from '../../src/services/clients.js';
import { registerSender } from '../../src/services/senders.js';
import { currentDirectory, directorySnapshot, saveDirectory } from '../../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../../src/domain/routing/index.js';
import { addDays, beijingDate, beijingInstant } from '../../src/domain/calendar/index.js';
import type { Manifest } from '../../schemas/api/manifest.js';
import type { NodeConfig } from './config.js';
import { nodeDeps } from './deps.js';
import { jsonLogger } from './log.js';
import { createCa, demoManifest, issueSigner, joseRequest, rsaSigner, signManifest, type IssuedCert, type Signer } from './court-kit.js';

const DAY = 86_400_000;

/** A clock the simulator moves; the gateway reads it for every arrival, step, token and sweep. */
export class SimulatedClock implements Clock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
  set(t: Date | number) {
    this.t = typeof t === 'number' ? t : t.getTime();
  }
}

/** mulberry32: a small deterministic PRNG (the live, bulk and history simulations all draw from it). */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}

/** Beijing calendar date of an instant, and the instant of a Beijing date and time. */
const bj = (t: number) => beijingDate(new Date(t));
const atBj = (date: string, hour: number, minute = 0) => beijingInstant(date, `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`).getTime();
/** A working-hours instant on a Beijing date (Saturday and Sunday move to Monday). */
function officeTime(date: string, r: ReturnType<typeof prng>): number {
  let d = date;
  for (let dow = new Date(`${d}T00:00:00Z`).getUTCDay(); dow === 0 || dow === 6; dow = new Date(`${d}T00:00:00Z`).getUTCDay()) d = addDays(d, 1);
  return atBj(d, r.pick([9, 9, 10, 10, 11, 14, 15, 16]), r.int(0, 59));
}

/** The administrative domain of a demo unit, by its id suffix (the simulators' statistics by domain). */
export const DOMAIN_OF: Record<string, string> = {
  zrzy: '自然资源',
  zjj: '住房城乡建设',
  scjg: '市场监管',
  rsj: '人力资源社会保障',
  zhzf: '综合行政执法',
  sthj: '生态环境',
  gaj: '公安',
  nync: '农业农村',
  jtj: '交通运输',
  wjj: '卫生健康',
};
const ACTS = ['行政处罚决定', '征收补偿决定', '不予登记决定', '责令限期拆除决定', '工伤认定决定', '政府信息公开答复', '行政许可决定', '行政强制措施'];

export interface HistoryOptions {
  /** First-instance cases over the whole span (spread evenly, random within each day). */
  cases: number;
  /** How many days back from `until` the history starts. */
  days: number;
  seed: number;
  /** The history ends here (default: now). */
  until?: Date;
}

export interface HistoryReport {
  from: string;
  to: string;
  deliveries: number;
  refused: number;
  queued: number;
  assignedByBureau: number;
  pulls: number;
  confirmations: number;
  steps: number;
  stepsRefused: number;
  hearings: number;
  outcomes: number;
  appeals: number;
  sweeps: number;
  sweepFailures: number;
  months: number;
}

/**
 * A court CA valid over the whole history (the demo's starts today): kept in DATA_DIR/sim-history/<code>/ and
 * made again when an older run's does not reach back far enough.
 */
function historyPki(dir: string, name: string, from: number, until: number): { ca: IssuedCert; leaf: IssuedCert } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = join(dir, 'pki.json');
  if (existsSync(f)) {
    const saved = JSON.parse(readFileSync(f, 'utf8')) as Record<'caCert' | 'caKey' | 'leafCert' | 'leafKey', string>;
    const leafCert = forge.pki.certificateFromPem(saved.leafCert);
    if (leafCert.validity.notBefore.getTime() <= from && leafCert.validity.notAfter.getTime() > until) {
      const load = (certPem: string, keyPem: string): IssuedCert => ({
        certPem,
        keyPem,
        cert: forge.pki.certificateFromPem(certPem),
        der: Uint8Array.from(Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')),
        key: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey,
      });
      return { ca: load(saved.caCert, saved.caKey), leaf: load(saved.leafCert, saved.leafKey) };
    }
  }
  const notBefore = new Date(from - 7 * DAY);
  const ca = createCa(`${name} 模拟CA (simulator)`, { notBefore, notAfter: new Date(until + 5 * 365 * DAY), org: name });
  const leaf = issueSigner(ca, `${name} 电子送达平台签章`, { notBefore, notAfter: new Date(until + 2 * 365 * DAY), org: name });
  writeFileSync(f, JSON.stringify({ caCert: ca.certPem, caKey: ca.keyPem, leafCert: leaf.certPem, leafKey: leaf.keyPem }), { mode: 0o600 });
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  return { ca, leaf };
}

type Event = { at: number; seq: number; run: () => Promise<void> };

export async function runHistory(cfg: NodeConfig, o: HistoryOptions, say: (s: string) => void = () => {}): Promise<HistoryReport> {
  const until = (o.until ?? new Date()).getTime();
  const fromDate = bj(until - o.days * DAY);
  const toDate = bj(until);
  const clock = new SimulatedClock(atBj(fromDate, 8));
  const { deps, client } = await nodeDeps(cfg, { clock, log: jsonLogger('warn') });
  const app = createApp(deps);
  const r = prng(o.seed);
  const report: HistoryReport = {
    from: fromDate,
    to: toDate,
    deliveries: 0,
    refused: 0,
    queued: 0,
    assignedByBureau: 0,
    pulls: 0,
    confirmations: 0,
    steps: 0,
    stepsRefused: 0,
    hearings: 0,
    outcomes: 0,
    appeals: 0,
    sweeps: 0,
    sweepFailures: 0,
    months: 0,
  };
  try {
    if ((await directorySnapshot(deps)).version === 0) await saveDirectory(deps, DEMO_DIRECTORY_DATA, 'simulator', 'demo directory for the simulator');
    const dir = await currentDirectory(deps);
    const courts = {} as Record<'first' | 'second', { code: string; name: string; signer: Signer }>;
    for (const [k, code, name] of [
      ['first', 'court-longyou', '浙江省龙游县人民法院'],
      ['second', 'court-quzhou-intermediate', '浙江省衢州市中级人民法院'],
    ] as const) {
      const { ca, leaf } = historyPki(join(cfg.DATA_DIR, 'sim-history', code), name, clock.now().getTime(), until);
      await registerSender(deps, { code, type: 'court', name, caPem: ca.certPem }, 'simulator');
      courts[k] = { code, name, signer: await rsaSigner(leaf) };
    }

    // Each party acts with its own client (registered once per run) and a token fetched at simulated time.
    const parties = new Map<string, { id: string; secret: string; token?: string; expires: number }>();
    const headersOf = async (role: 'unit' | 'justice_bureau', scope: string, name: string): Promise<Record<string, string>> => {
      const key = `${role}:${scope}`;
      let p = parties.get(key);
      if (!p) {
        const c = await registerClient(deps, { name: `${name}（模拟）`, role, scope }, 'simulator');
        p = { id: c.clientId, secret: c.clientSecret!, expires: 0 };
        parties.set(key, p);
      }
      if (!p.token || p.expires - 60_000 < clock.now().getTime()) {
        const res = await app.request('/v1/oauth/token', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: p.id, client_secret: p.secret }).toString(),
        });
        if (res.status !== 200) throw new Error(`token for ${key}: ${res.status} ${await res.text()}`);
        const t = (await res.json()) as { access_token: string; expires_in: number };
        p.token = t.access_token;
        p.expires = clock.now().getTime() + t.expires_in * 1000;
      }
      return { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' };
    };
    const bureau = (region: string) => headersOf('justice_bureau', region, `${dir.index.region(region)?.name ?? region}司法局`);
    const unitH = (unitId: string) => headersOf('unit', unitId, dir.index.unit(unitId)?.name ?? unitId);

    const events: Event[] = [];
    let seq = 0;
    const at = (t: number, run: () => Promise<void>) => {
      if (t <= until) events.push({ at: t, seq: seq++, run });
    };

    let n = 0;
    const run = `h${o.seed}-${toDate.replace(/-/g, '')}`;
    const push = async (court: 'first' | 'second', m: Manifest) => {
      const res = await app.fetch(joseRequest('http://gateway/v1/deliveries', await signManifest(m, courts[court].signer)));
      const body = (await res.json()) as {
        receipt?: { documents: { id: string; routing: { caseId: string | null; status: string; units: { unitId: string; role: string }[] } }[] };
        detail?: string;
      };
      if (res.status !== 201 || !body.receipt) {
        report.refused++;
        say(`  ✗ ${bj(clock.now().getTime())} ${m.documents[0]!.type} ${m.documents[0]!.case?.caseNumber}: ${res.status} ${body.detail ?? ''}`);
        return null;
      }
      report.deliveries++;
      return body.receipt.documents[0]!;
    };
    const step = async (unitId: string, caseId: string, kind: string, body: unknown) => {
      const res = await app.request(`/v1/cases/${caseId}/steps/${kind}`, { method: 'POST', headers: await unitH(unitId), body: JSON.stringify(body) });
      if (res.status === 201) report.steps++;
      else {
        report.stepsRefused++;
        say(`  ✗ ${bj(clock.now().getTime())} step ${kind}: ${res.status} ${((await res.json()) as { detail?: string }).detail ?? ''}`);
      }
    };

    /** One first-instance case, planned at its arrival; each later event is scheduled on its own day. */
    const planCase = (i: number, arrival: number) => {
      const region = r.pick(['330802', '330802', '330803']);
      const units = dir.index.unitsInRegion(region).filter((u) => u.kind === 'department' && (!u.abolishedOn || u.abolishedOn > bj(arrival)));
      const unit = r.pick(units);
      const domain = DOMAIN_OF[unit.id.split('-').slice(1).join('-')] ?? '其他';
      const year = bj(arrival).slice(0, 4);
      const caseNumber = `(${year})浙0825行初${run}-${i + 1}号`;
      const written = r.chance(1 / 12) ? `${unit.name.replace(/^衢州市/, '')}（原名称）` : unit.name;
      const act = r.pick(ACTS);
      const actedOn = addDays(bj(arrival), -r.int(40, 300));
      const manifest = (type: Manifest['documents'][number]['type'], court: 'first' | 'second' = 'first', num = caseNumber) => {
        const m = demoManifest({
          messageId: `sim-${run}-${++n}`,
          senderCode: courts[court].code,
          issuedAt: clock.now(),
          type,
          caseNumber: num,
          defendant: written,
          regionCode: region,
        });
        const d = m.documents[0]!;
        d.case!.court = { code: courts[court].code, name: courts[court].name };
        d.case!.challengedAct.domain = domain;
        d.case!.challengedAct.description = `作出的${act}`;
        d.case!.challengedAct.actedOn = actedOn;
        delete d.outcome;
        return m;
      };
      let who = unit.id;
      at(arrival, async () => {
        const doc = await push('first', manifest('complaint_copy'));
        if (!doc?.routing.caseId) return;
        const caseId = doc.routing.caseId;
        // The unit the rules chose answers (a successor, the entrusting unit …); a queued case goes to `unit`.
        who = (doc.routing.units.find((u) => u.role === 'lead') ?? doc.routing.units[0])?.unitId ?? unit.id;
        const arrived = bj(arrival);
        // The bureau assigns a queued case the next working day; then the unit pulls it, the bureau confirms.
        let assignedOn = arrived;
        if (doc.routing.status === 'queued') {
          report.queued++;
          assignedOn = addDays(arrived, 1);
          at(officeTime(assignedOn, r), async () => {
            const h = await bureau(region);
            const q = (await (await app.request(`/v1/queue?status=open&limit=500`, { headers: h })).json()) as {
              items: { id: string; caseId: string | null }[];
            };
            const item = q.items.find((x) => x.caseId === caseId);
            if (!item) return;
            const res = await app.request(`/v1/queue/${item.id}/assign`, {
              method: 'POST',
              headers: h,
              body: JSON.stringify({ assignments: [{ unitId: unit.id, role: 'lead' }], reason: '起诉状所列被告为该单位的原名称' }),
            });
            if (res.status === 200 || res.status === 201) report.assignedByBureau++;
            else say(`  ✗ assign ${caseNumber}: ${res.status} ${((await res.json()) as { detail?: string }).detail ?? ''}`);
          });
        }
        at(officeTime(addDays(assignedOn, r.int(0, 2)), r) + 3600_000, async () => {
          const res = await app.request(`/v1/filings/${doc.id}`, { headers: await unitH(who) });
          if (res.status === 200) report.pulls++;
        });
        at(officeTime(addDays(arrived, r.int(1, 3)), r), async () => {
          const res = await app.request(`/v1/filings/${doc.id}/confirm`, { method: 'POST', headers: await bureau(region) });
          if (res.status === 201 || res.status === 200) report.confirmations++;
        });
        // Answer and evidence (15 days, ALL 第67条): most on time, some late, a few never (the board shows them).
        const answer = r.next();
        if (answer < 0.92)
          at(officeTime(addDays(arrived, answer < 0.8 ? r.int(5, 13) : r.int(16, 24)), r), () =>
            step(who, caseId, 'answer_filed', { filedOn: bj(clock.now().getTime()) }),
          );
        // The summons a few weeks later, the hearing three to six weeks after it.
        if (!r.chance(0.88)) return;
        const summonsOn = addDays(arrived, r.int(14, 35));
        const hearingOn = addDays(summonsOn, r.int(20, 42));
        const hearingAt = officeTime(hearingOn, r);
        at(officeTime(summonsOn, r), async () => {
          const m = manifest('summons');
          m.documents[0]!.hearing = {
            at: new Date(hearingAt).toISOString(),
            place: r.pick(['龙游县人民法院第一法庭', '龙游县人民法院第三法庭', '龙游县人民法院第五法庭']),
          };
          await push('first', m);
        });
        const head = r.chance(0.72);
        at(hearingAt + 3 * 3600_000, async () => {
          report.hearings++;
          await step(who, caseId, 'hearing_held', {
            heldOn: bj(hearingAt),
            headAppeared: head,
            ...(head ? { headName: r.pick(['局长', '副局长', '分管副局长']), principal: r.chance(0.3) } : {}),
            spoke: head,
            agents: r.chance(0.04) ? [] : [{ name: '法制科工作人员', kind: 'staff' }],
          });
        });
        // The outcome two to six weeks after the hearing; after a loss, the appeal decision and the loss report.
        if (!r.chance(0.9)) return;
        const x = r.next();
        const result = x < 0.15 ? 'loss' : x < 0.62 ? 'win' : x < 0.88 ? 'withdrawal' : 'mediation';
        const type = result === 'mediation' ? 'mediation' : result === 'withdrawal' ? 'ruling' : r.chance(0.85) ? 'judgment' : 'ruling';
        const outcomeOn = addDays(hearingOn, r.int(14, 45));
        const lossKind = r.pick(['revoke', 'revoke', 'confirm_illegal', 'change', 'order_performance'] as const);
        at(officeTime(outcomeOn, r), async () => {
          const m = manifest(type);
          const effectiveOn = addDays(outcomeOn, 16);
          m.documents[0]!.outcome = {
            result,
            ...(result === 'loss' ? { lossKind, effectiveOn, performanceDueOn: addDays(effectiveOn, 60) } : { effectiveOn }),
          };
          await push('first', m);
          report.outcomes++;
        });
        if (result !== 'loss') return;
        if (r.chance(0.3)) {
          at(officeTime(addDays(outcomeOn, r.int(8, 14)), r), async () => {
            const m = manifest('appeal', 'second', `(${year})浙08行终${run}-${i + 1}号`);
            m.documents[0]!.case!.instance = 'second';
            m.documents[0]!.case!.priorCaseNumbers = [caseNumber];
            // The first instance is the first court's case: an appeal names that court (原审法院) to link to it.
            m.documents[0]!.case!.priorCourtCode = courts.first.code;
            await push('second', m);
            report.appeals++;
          });
        } else {
          at(officeTime(addDays(outcomeOn, r.int(3, 10)), r), () => step(who, caseId, 'no_appeal_reasons', { reasons: '经研究，服从一审判决，不提起上诉' }));
          if (r.chance(0.8))
            at(officeTime(addDays(outcomeOn, r.int(10, 25)), r), () =>
              step(who, caseId, 'loss_report', {
                facts: `${act}被诉`,
                result: '一审判决撤销被诉行为',
                recommendations: '规范执法程序，加强证据收集',
                other: '无',
              }),
            );
        }
      });
    };

    for (let i = 0; i < o.cases; i++) planCase(i, officeTime(addDays(fromDate, Math.floor(((i + r.next()) * o.days) / o.cases)), r));

    const months = new Set<string>();
    for (let day = fromDate; day <= toDate; day = addDays(day, 1)) {
      // The morning sweep, then the day's events in time order (events add later ones as they run).
      clock.set(atBj(day, 8));
      const s = await sweep(deps, clock.now());
      report.sweeps++;
      if (!Object.values(s.steps).every((x) => x.ok)) report.sweepFailures++;
      for (;;) {
        const endOfDay = atBj(addDays(day, 1), 0);
        const due = events.filter((e) => e.at < endOfDay).sort((a, b) => a.at - b.at || a.seq - b.seq);
        if (due.length === 0) break;
        const e = due[0]!;
        events.splice(events.indexOf(e), 1);
        clock.set(Math.max(e.at, clock.now().getTime()));
        await e.run();
      }
      months.add(day.slice(0, 7));
      if (day.endsWith('-01')) say(`  … ${day}: ${report.deliveries} deliveries, ${report.steps} steps`);
    }
    report.months = months.size;
    return report;
  } finally {
    client.close();
  }
}
