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
  /**
   * Days of earlier traffic lived before the span (default: enough for 100 days in all), so that a short span
   * (a month) has what a real month has: cases arriving, and cases that arrived before it reaching their
   * summons, hearing and judgment within it. Cases arrive before the span at the span's rate.
   */
  leadInDays?: number;
}

export interface HistoryReport {
  /** The span asked for (--days back from the end). */
  from: string;
  to: string;
  /** The first day lived: the span's start less the lead-in. */
  startedOn: string;
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
  losses: number;
  appeals: number;
  /** Judicial suggestions delivered, and how many of their replies were approved and relayed. */
  suggestions: number;
  suggestionsRelayed: number;
  headNotices: number;
  advisers: number;
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
  const leadIn = o.leadInDays ?? Math.max(0, 100 - o.days);
  const startDate = addDays(fromDate, -leadIn);
  const clock = new SimulatedClock(atBj(startDate, 8));
  const { deps, close } = await nodeDeps(cfg, { clock, log: jsonLogger('warn') });
  const app = createApp(deps);
  const r = prng(o.seed);
  const report: HistoryReport = {
    from: fromDate,
    to: toDate,
    startedOn: startDate,
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
    losses: 0,
    appeals: 0,
    suggestions: 0,
    suggestionsRelayed: 0,
    headNotices: 0,
    advisers: 0,
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
    const headersOf = async (role: 'unit' | 'justice_bureau' | 'government_office', scope: string, name: string): Promise<Record<string, string>> => {
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
    const officeH = (region: string) => headersOf('government_office', region, `${dir.index.region(region)?.name ?? region}人民政府办公室`);
    const api = async (headers: Record<string, string>, method: string, path: string, body?: unknown) => {
      const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (res.status >= 300) say(`  ✗ ${bj(clock.now().getTime())} ${method} ${path}: ${res.status} ${String(json['detail'] ?? '')}`);
      return { status: res.status, json };
    };

    // Each region's roster of legal advisers (法律顾问团队库, Q 一(三)), kept by its justice bureau; agents are chosen from it.
    const roster = new Map<string, { id: string; name: string }[]>();
    const ADVISERS = [
      ['周律师', '浙江衢州信安律师事务所'],
      ['吴律师', '浙江衢江律师事务所'],
      ['郑律师', '浙江柯城正理律师事务所'],
    ] as const;
    for (const region of ['330802', '330803']) {
      const h = await headersOf('justice_bureau', region, `${dir.index.region(region)?.name ?? region}司法局`);
      const have = await api(h, 'GET', `/v1/advisers?region=${region}`);
      const items = ((have.json['items'] as { id: string; name: string }[] | undefined) ?? []).slice();
      for (const [name, organisation] of ADVISERS) {
        if (items.some((a) => a.name === name)) continue;
        const added = await api(h, 'POST', '/v1/advisers', { region, name, organisation });
        if (added.status === 201) {
          items.push({ id: String(added.json['id']), name });
          report.advisers++;
        }
      }
      roster.set(region, items);
    }

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
      // A joint act of two departments (共同作出): no rule names one unit, so it waits in the bureau's queue (R2).
      const partner = r.chance(0.18) ? r.pick(units.filter((u) => u.id !== unit.id)) : undefined;
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
        if (partner) {
          d.case!.defendants = [...d.case!.defendants, { name: partner.name, regionCode: region }];
          d.case!.challengedAct.actingUnits = [...d.case!.challengedAct.actingUnits, { name: partner.name, regionCode: region }];
        }
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
              body: JSON.stringify(
                partner
                  ? {
                      assignments: [
                        { unitId: unit.id, role: 'lead' },
                        { unitId: partner.id, role: 'cooperating' },
                      ],
                      reason: `共同作出的行政行为，以${unit.name}为主办，${partner.name}协办`,
                    }
                  : { assignments: [{ unitId: unit.id, role: 'lead' }], reason: '起诉状所列被告为该单位的原名称' },
              ),
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
        // Some hearings come with a notice that the head must appear (负责人出庭通知书); the unit registers who appears.
        if (r.chance(0.35)) {
          const noticeOn = addDays(summonsOn, r.int(1, 5));
          at(officeTime(noticeOn, r), async () => {
            const m = manifest('head_appearance_notice');
            m.documents[0]!.hearing = { at: new Date(hearingAt).toISOString(), place: '龙游县人民法院第一法庭' };
            if (await push('first', m)) report.headNotices++;
          });
          const adviser = r.pick(roster.get(region) ?? []);
          at(officeTime(addDays(noticeOn, r.int(1, 4)), r) + 2 * 3600_000, () =>
            step(
              who,
              caseId,
              'appearance_registered',
              r.chance(0.7) || !adviser
                ? { required: true, requiredBecause: '法院负责人出庭通知书', head: { name: '分管副局长', post: '副局长', principal: false } }
                : {
                    required: true,
                    requiredBecause: '法院负责人出庭通知书',
                    cannotAppear: {
                      reason: '负责人参加上级机关会议',
                      agents: [
                        { name: '法制科工作人员', kind: 'staff' },
                        { name: adviser.name, kind: 'legal_adviser', adviserId: adviser.id },
                      ],
                    },
                  },
            ),
          );
        }
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
          if (result === 'loss') report.losses++;
        });
        // A judicial suggestion after some cases (司法建议, B 第十一条): the unit drafts the reply, the bureau reviews
        // it (now and then returning it once), the government office approves it and the gateway relays it.
        if (result === 'loss' ? r.chance(0.6) : r.chance(0.12)) {
          const suggestedOn = addDays(outcomeOn, r.int(3, 12));
          let sid: string | undefined;
          at(officeTime(suggestedOn, r), async () => {
            const m = manifest('judicial_suggestion');
            m.documents[0]!.title = r.pick([
              '关于规范行政执法程序的司法建议书',
              '关于加强行政执法证据收集的司法建议书',
              '关于完善政府信息公开工作的司法建议书',
            ]);
            const doc = await push('first', m);
            if (!doc) return;
            report.suggestions++;
            const list = await api(await unitH(who), 'GET', `/v1/suggestions?limit=200`);
            sid = (list.json['items'] as { id: string; documentId: string }[] | undefined)?.find((x) => x.documentId === doc.id)?.id;
          });
          const draftedOn = addDays(suggestedOn, r.int(4, 12));
          const returned = r.chance(0.25);
          at(officeTime(draftedOn, r), async () => {
            if (sid)
              await api(await unitH(who), 'POST', `/v1/suggestions/${sid}/drafts`, {
                text: `关于司法建议的答复：我单位已对照建议逐项研究，${act}相关执法程序已按建议完善。`,
                rectification: { promised: true, by: addDays(draftedOn, 30), description: '修订执法程序规范，组织专题培训' },
                handledOn: draftedOn,
              });
          });
          const reviewedOn = addDays(draftedOn, r.int(1, 3));
          at(officeTime(reviewedOn, r), async () => {
            if (sid)
              await api(
                await bureau(region),
                'POST',
                `/v1/suggestions/${sid}/review`,
                returned ? { result: 'returned', comments: '请补充整改的时间安排' } : { result: 'passed' },
              );
          });
          let approvedOn = addDays(reviewedOn, r.int(1, 3));
          if (returned) {
            const again = addDays(reviewedOn, r.int(1, 3));
            at(officeTime(again, r), async () => {
              if (sid)
                await api(await unitH(who), 'POST', `/v1/suggestions/${sid}/drafts`, {
                  text: `关于司法建议的答复（修改稿）：我单位已对照建议逐项研究并完善执法程序，整改于 ${addDays(again, 30)} 前完成。`,
                  rectification: { promised: true, by: addDays(again, 30), description: '修订执法程序规范，组织专题培训' },
                  handledOn: again,
                });
            });
            at(officeTime(addDays(again, 1), r), async () => {
              if (sid) await api(await bureau(region), 'POST', `/v1/suggestions/${sid}/review`, { result: 'passed' });
            });
            approvedOn = addDays(again, r.int(2, 4));
          }
          at(officeTime(approvedOn, r) + 3600_000, async () => {
            if (!sid) return;
            const res = await api(await officeH(region), 'POST', `/v1/suggestions/${sid}/approve`, { approver: '陈副区长', post: '副区长' });
            if (res.status === 200) report.suggestionsRelayed++;
          });
        }
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

    /**
     * What waits on the clerks' desks on the last morning, whatever the seed, so that the month ends as a real
     * one does, with work in hand: a hearing held two days ago whose feedback the unit has still to record, a
     * suggestion reply the unit drafted that the bureau has still to review, and the morning's post (a new
     * complaint to confirm, a joint act of two departments waiting in the queue).
     */
    const planDesk = () => {
      const kc = dir.index.unitsInRegion('330802').filter((u) => u.kind === 'department' && (!u.abolishedOn || u.abolishedOn > toDate));
      const [a, b, c] = [kc[0]!, kc[1 % kc.length]!, kc[2 % kc.length]!];
      const deskManifest = (type: Manifest['documents'][number]['type'], caseNumber: string, defendants: { name: string }[]) => {
        const m = demoManifest({
          messageId: `sim-${run}-${++n}`,
          senderCode: courts.first.code,
          issuedAt: clock.now(),
          type,
          caseNumber,
          defendant: defendants[0]!.name,
          regionCode: '330802',
        });
        const d = m.documents[0]!;
        d.case!.court = { code: courts.first.code, name: courts.first.name };
        d.case!.defendants = defendants.map((x) => ({ name: x.name, regionCode: '330802' }));
        d.case!.challengedAct.actingUnits = defendants.map((x) => ({ name: x.name, regionCode: '330802' }));
        delete d.outcome;
        return m;
      };
      const year = toDate.slice(0, 4);
      const heard = `(${year})浙0825行初${run}-d1号`;
      /** A desk case up to its hearing: arrival, answer and summons so many days before the end, the hearing on a working day. */
      const deskCase = (
        num: string,
        unit: { id: string; name: string },
        days: { arrive: number; answer: number; summons: number; hearing: number },
        place: string,
      ) => {
        let caseId: string | undefined;
        let hearingDay = addDays(toDate, -days.hearing);
        while ([0, 6].includes(new Date(`${hearingDay}T00:00:00Z`).getUTCDay())) hearingDay = addDays(hearingDay, -1);
        at(officeTime(addDays(toDate, -days.arrive), r), async () => {
          const doc = await push('first', deskManifest('complaint_copy', num, [unit]));
          caseId = doc?.routing.caseId ?? undefined;
          if (doc)
            at(officeTime(addDays(toDate, 2 - days.arrive), r), async () => void (await api(await bureau('330802'), 'POST', `/v1/filings/${doc.id}/confirm`)));
        });
        at(officeTime(addDays(toDate, -days.answer), r), async () => {
          if (caseId) await step(unit.id, caseId, 'answer_filed', { filedOn: bj(clock.now().getTime()) });
        });
        at(officeTime(addDays(toDate, -days.summons), r), async () => {
          const m = deskManifest('summons', num, [unit]);
          m.documents[0]!.hearing = { at: new Date(atBj(hearingDay, 9, 30)).toISOString(), place };
          await push('first', m);
        });
        return { caseId: () => caseId, hearingDay };
      };
      deskCase(heard, a, { arrive: 45, answer: 35, summons: 30, hearing: 2 }, '龙游县人民法院第一法庭');
      let sid: string | undefined;
      at(officeTime(addDays(toDate, -9), r), async () => {
        const m = deskManifest('judicial_suggestion', `(${year})浙0825行初${run}-d2号`, [b]);
        m.documents[0]!.title = '关于规范行政执法程序的司法建议书';
        const doc = await push('first', m);
        if (!doc) return;
        report.suggestions++;
        const list = await api(await unitH(b.id), 'GET', '/v1/suggestions?limit=200');
        sid = (list.json['items'] as { id: string; documentId: string }[] | undefined)?.find((x) => x.documentId === doc.id)?.id;
      });
      at(officeTime(addDays(toDate, -3), r), async () => {
        if (sid)
          await api(await unitH(b.id), 'POST', `/v1/suggestions/${sid}/drafts`, {
            text: '关于司法建议的答复：我单位已对照建议逐项研究，执法程序已按建议完善。',
            rectification: { promised: true, by: addDays(toDate, 30), description: '修订执法程序规范，组织专题培训' },
            handledOn: addDays(toDate, -3),
          });
      });
      at(until - 50 * 60_000, async () => void (await push('first', deskManifest('complaint_copy', `(${year})浙0825行初${run}-d3号`, [c]))));
      at(until - 40 * 60_000, async () => {
        const doc = await push('first', deskManifest('complaint_copy', `(${year})浙0825行初${run}-d4号`, [a, b]));
        if (doc?.routing.status === 'queued') report.queued++;
      });
      // Two cases lost in the month, begun months before: one the agency appeals (the intermediate court's case
      // names the first instance), one it accepts, with its reasons for not appealing and its loss-analysis report.
      for (const [k, appeal] of [
        ['d5', true],
        ['d6', false],
      ] as const) {
        if (addDays(toDate, -95) < startDate) break;
        const num = `(${year})浙0825行初${run}-${k}号`;
        const { caseId: idOf, hearingDay: heardOn } = deskCase(num, c, { arrive: 95, answer: 85, summons: 80, hearing: 60 }, '龙游县人民法院第三法庭');
        at(atBj(heardOn, 15), async () => {
          report.hearings++;
          const caseId = idOf();
          if (caseId)
            await step(c.id, caseId, 'hearing_held', { heldOn: heardOn, headAppeared: true, headName: '局长', principal: true, spoke: true, agents: [] });
        });
        const judgedOn = addDays(toDate, -28);
        at(officeTime(judgedOn, r), async () => {
          const m = deskManifest('judgment', num, [c]);
          const effectiveOn = addDays(judgedOn, 16);
          m.documents[0]!.outcome = { result: 'loss', lossKind: 'revoke', effectiveOn, performanceDueOn: addDays(effectiveOn, 60) };
          if (await push('first', m)) {
            report.outcomes++;
            report.losses++;
          }
        });
        if (appeal)
          at(officeTime(addDays(judgedOn, 10), r), async () => {
            const m = deskManifest('appeal', `(${year})浙08行终${run}-${k}号`, [c]);
            const d = m.documents[0]!;
            d.case!.court = { code: courts.second.code, name: courts.second.name };
            d.case!.instance = 'second';
            d.case!.priorCaseNumbers = [num];
            d.case!.priorCourtCode = courts.first.code;
            m.sender.code = courts.second.code;
            if (await push('second', m)) report.appeals++;
          });
        else {
          at(officeTime(addDays(judgedOn, 6), r), async () => {
            const caseId = idOf();
            if (caseId) await step(c.id, caseId, 'no_appeal_reasons', { reasons: '经研究，服从一审判决，不提起上诉' });
          });
          at(officeTime(addDays(judgedOn, 14), r), async () => {
            const caseId = idOf();
            if (caseId)
              await step(c.id, caseId, 'loss_report', {
                facts: '被诉行政处罚决定认定事实的证据不足',
                result: '一审判决撤销被诉行政处罚决定',
                recommendations: '规范调查取证程序，重大执法决定前进行法制审核',
                other: '无',
              });
          });
        }
      }
    };
    planDesk();

    // The span's cases, and before them (at the same rate) the lead-in's.
    const total = o.cases + Math.round((o.cases * leadIn) / o.days);
    const lived = leadIn + o.days;
    for (let i = 0; i < total; i++) planCase(i, officeTime(addDays(startDate, Math.floor(((i + r.next()) * lived) / total)), r));

    const months = new Set<string>();
    for (let day = startDate; day <= toDate; day = addDays(day, 1)) {
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
    await close();
  }
}
