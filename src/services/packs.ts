/**
 * Meeting packs (府院联席会议材料; docs/domain.md §7, S 五(八), G 府院联动, Q 一(二)): the figures of some regions
 * for a period, frozen with their definitions and, per figure, the items behind it (case ids, case numbers and
 * a digest of the facts each was counted from), signed by the gateway (JWS over the JCS form, like receipts) so
 * the court side verifies the pack with the JWKS alone. Comparing two packs shows what changed since the last
 * meeting. Every pack's creation is audited.
 *
 * Who: a justice bureau or government office for its region, a liaison or court for the regions it serves, an
 * administrator for any. Reading a pack: anyone whose regions overlap the pack's (it was shared at the meeting
 * they attend); it holds figures, case numbers and digests, never document bodies. What a reader sees of the
 * items is filtered by the same rights as the live drill-down (src/services/statistics.ts statisticsScope and
 * presentItem): a region's items for its justice bureau and government office, a unit's own items for a unit,
 * case number and region only for a court or liaison; only an administrator (or a reader whose view leaves the
 * pack whole) gets the stored signature, every other reader a gateway signature over the view it got, naming
 * the pack's digest (viewOf).
 */
import { desc, eq } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import type { Principal } from './clients.js';
import { meetingPacks } from '../../schemas/db/index.js';
import { canonicalJson, sha256HexSync } from '../lib/encoding.js';
import { signJson } from '../lib/signing.js';
import { newId } from '../lib/ids.js';
import { Problem } from '../lib/problem.js';

import { currentDirectory } from './directory.js';
import { computeScope, statisticsScope, type StatsQuery } from './statistics.js';
import { FIGURES, FIGURE_IDS, resolveVariants, type FigureId } from '../domain/statistics/index.js';
import { beijingDate } from '../domain/calendar/index.js';

export const PACK_TYP = 'fuyuan-meeting-pack+jws';

export interface PackItem {
  ref: string;
  caseId: string | null;
  caseNumber: string | null;
  regionCode: string | null;
  /** The undertaking (lead) unit the item was counted for: a unit reading the pack sees its own items only. */
  unitId?: string | null;
  inNumerator: boolean;
  /** SHA-256 of the JCS form of the facts the item was counted from. */
  digest: string;
}

export interface PackFigure {
  id: FigureId;
  numerator: number;
  denominator: number | null;
  rate: number | null;
  variant?: string;
  items: PackItem[];
}

export interface PackContent {
  type: 'meeting-pack';
  id: string;
  meetingDate: string;
  regions: { code: string; name: string }[];
  period: { from: string; to: string; label: string };
  agendaNotes: string;
  createdAt: string;
  asOf: string;
  filters: Record<string, string>;
  variants: Record<string, string>;
  definitions: (typeof FIGURES)[FigureId][];
  figures: PackFigure[];
  byRegion: { regionCode: string; figures: { id: FigureId; numerator: number; denominator: number | null; rate: number | null }[] }[];
}

export interface PackInput {
  meetingDate: string;
  regions?: string[];
  period: string;
  agendaNotes?: string;
  unit?: string;
  domain?: string;
  instance?: 'first' | 'second' | 'retrial';
  variant?: string[];
}

export async function createPack(deps: Deps, p: Principal, input: PackInput) {
  if (p.role === 'unit') throw new Problem('forbidden', 'meeting packs are made by the justice bureau, the government office, the court or its liaison');
  const q: StatsQuery = {
    period: input.period,
    ...(input.regions ? { regions: input.regions } : {}),
    ...(input.unit ? { unit: input.unit } : {}),
    ...(input.domain ? { domain: input.domain } : {}),
    ...(input.instance ? { instance: input.instance } : {}),
    ...(input.variant ? { variant: input.variant } : {}),
  };
  const scope = await statisticsScope(deps, p, q);
  const dir = await currentDirectory(deps);
  const r = await computeScope(deps, scope);
  const now = deps.clock.now();
  const id = newId();
  const content: PackContent = {
    type: 'meeting-pack',
    id,
    meetingDate: input.meetingDate,
    regions: scope.regions.map((code) => ({ code, name: dir.index.region(code)?.name ?? code })),
    period: { from: scope.period.from, to: scope.period.to, label: scope.period.label },
    agendaNotes: input.agendaNotes ?? '',
    createdAt: now.toISOString(),
    asOf: r.today,
    filters: Object.fromEntries(Object.entries(scope.filters).filter(([, v]) => v !== undefined)) as Record<string, string>,
    variants: resolveVariants(scope.variants),
    definitions: FIGURE_IDS.map((fid) => FIGURES[fid]),
    figures: r.total.map((v) => ({
      id: v.id,
      numerator: v.numerator,
      denominator: v.denominator,
      rate: v.rate,
      ...(v.variant ? { variant: v.variant } : {}),
      items: v.items.map((i) => ({
        ref: i.ref,
        caseId: i.caseId,
        caseNumber: i.caseNumber,
        regionCode: i.regionCode,
        unitId: i.unitId,
        inNumerator: i.inNumerator,
        digest: sha256HexSync(canonicalJson(i.fact)),
      })),
    })),
    byRegion: r.perRegion.map((x) => ({
      regionCode: x.regionCode,
      figures: x.figures.map((v) => ({ id: v.id, numerator: v.numerator, denominator: v.denominator, rate: v.rate })),
    })),
  };
  const contentJson = canonicalJson(content);
  const contentDigest = sha256HexSync(contentJson);
  const { jws, kid } = await signJson(deps.keys, content, PACK_TYP);
  await deps.writer.audited(
    [
      {
        actor: p.actor,
        action: 'meeting_pack.created',
        subject: `meeting_pack:${id}`,
        data: { meetingDate: input.meetingDate, regions: scope.regions, period: content.period, contentDigest, kid },
      },
    ],
    async () => ({
      items: [
        deps.db.orm.insert(meetingPacks).values({
          id,
          meetingDate: input.meetingDate,
          regions: JSON.stringify(scope.regions),
          periodFrom: scope.period.from,
          periodTo: scope.period.to,
          agendaNotes: content.agendaNotes,
          contentJson,
          contentDigest,
          jws,
          createdBy: p.actor,
          createdAt: now,
        }),
      ],
      result: null,
    }),
    now,
  );
  return { id, contentDigest, jws, content };
}

/** What one reader may see of a pack's items, as the live drill-down decides it for the same caller. */
interface Reader {
  /** null: everything (admin). */
  regions: readonly string[] | null;
  /** A unit sees the items it undertakes. */
  unitId?: string;
  /** A court or liaison: case number and region, no ids to open. */
  figuresOnly: boolean;
}

async function readerOf(deps: Deps, p: Principal): Promise<Reader> {
  const regions = await packRegionsAllowed(deps, p);
  return { regions, ...(p.role === 'unit' ? { unitId: p.scope } : {}), figuresOnly: p.role === 'liaison' || p.role === 'court' };
}

const itemVisible = (r: Reader, i: PackItem) =>
  (r.regions === null || (i.regionCode !== null && r.regions.includes(i.regionCode))) && (r.unitId === undefined || i.unitId === r.unitId);

/** An item as this reader may see it (presentItem's rule: a court or liaison gets the case number and region only). */
function presentPackItem(r: Reader, i: PackItem): Record<string, unknown> {
  if (r.figuresOnly) return { caseNumber: i.caseNumber, regionCode: i.regionCode, inNumerator: i.inNumerator };
  return { ...i };
}

/** The pack as the reader may see it; `whole` when nothing was left out or reduced. */
function packView(r: Reader, c: PackContent): { content: Record<string, unknown>; whole: boolean } {
  if (r.regions === null) return { content: c as unknown as Record<string, unknown>, whole: true };
  let whole = !r.figuresOnly;
  const figures = c.figures.map((f) => {
    const items = f.items.filter((i) => itemVisible(r, i));
    if (items.length !== f.items.length) whole = false;
    return { ...f, items: items.map((i) => presentPackItem(r, i)) };
  });
  const byRegion = c.byRegion.filter((x) => r.regions!.includes(x.regionCode));
  if (byRegion.length !== c.byRegion.length) whole = false;
  return { content: { ...c, figures, byRegion }, whole };
}

async function packRegionsAllowed(deps: Deps, p: Principal): Promise<readonly string[] | null> {
  const dir = await currentDirectory(deps);
  const today = beijingDate(deps.clock.now());
  switch (p.role) {
    case 'admin':
      return null;
    case 'justice_bureau':
    case 'government_office':
      return [p.scope];
    case 'liaison':
    case 'court':
      return dir.index.regionsServedBy(p.scope, today);
    case 'unit':
      return [dir.index.unit(p.scope)?.regionCode ?? ''];
    default:
      return [];
  }
}

/** A stored pack, whole (404 for a caller none of whose regions is in it). For the pack's own services only. */
async function storedPack(deps: Deps, reader: Reader, id: string) {
  const [row] = await deps.db.orm.select().from(meetingPacks).where(eq(meetingPacks.id, id));
  const regions = row ? (JSON.parse(row.regions) as string[]) : [];
  const allowed = reader.regions;
  if (!row || (allowed !== null && !regions.some((r) => allowed.includes(r)))) throw new Problem('not-found', `no meeting pack with id ${id}`);
  return { id: row.id, contentDigest: row.contentDigest, jws: row.jws, createdBy: row.createdBy, content: JSON.parse(row.contentJson) as PackContent };
}

export const PACK_VIEW_TYP = 'fuyuan-meeting-pack-view+jws';

/**
 * A stored pack as this caller may see it (404 for a caller none of whose regions is in it). The whole pack
 * comes with its stored signature; a filtered view with a gateway signature over the view itself, which names
 * the pack and its digest (viewOf), so it verifies with the JWKS alone and never carries what was left out.
 */
export async function getPack(deps: Deps, p: Principal, id: string) {
  const reader = await readerOf(deps, p);
  const pack = await storedPack(deps, reader, id);
  const view = packView(reader, pack.content);
  if (view.whole) return { ...pack, content: pack.content as PackContent | Record<string, unknown> as PackContent };
  const content = { ...view.content, viewOf: { packId: pack.id, contentDigest: pack.contentDigest, reader: p.role } } as unknown as PackContent;
  const { jws } = await signJson(deps.keys, content, PACK_VIEW_TYP);
  return { id: pack.id, contentDigest: sha256HexSync(canonicalJson(content)), jws, createdBy: pack.createdBy, content };
}

export async function listPacks(deps: Deps, p: Principal, limit = 50) {
  const allowed = await packRegionsAllowed(deps, p);
  const rows = await deps.db.orm
    .select({
      id: meetingPacks.id,
      meetingDate: meetingPacks.meetingDate,
      regions: meetingPacks.regions,
      periodFrom: meetingPacks.periodFrom,
      periodTo: meetingPacks.periodTo,
      contentDigest: meetingPacks.contentDigest,
      createdAt: meetingPacks.createdAt,
    })
    .from(meetingPacks)
    .orderBy(desc(meetingPacks.createdAt))
    .limit(Math.min(limit, 500) * 4);
  return rows
    .map((r) => ({ ...r, regions: JSON.parse(r.regions) as string[], createdAt: r.createdAt.toISOString() }))
    .filter((r) => allowed === null || r.regions.some((x) => allowed.includes(x)))
    .slice(0, limit);
}

/** What changed from `earlierId` to `id`: per figure the deltas, and the items added, removed or changed. */
export async function comparePacks(deps: Deps, p: Principal, id: string, earlierId: string) {
  const reader = await readerOf(deps, p);
  const now = (await storedPack(deps, reader, id)).content;
  const before = (await storedPack(deps, reader, earlierId)).content;
  const figures = FIGURE_IDS.map((fid) => {
    const a = before.figures.find((f) => f.id === fid);
    const b = now.figures.find((f) => f.id === fid);
    const aItems = new Map((a?.items ?? []).map((i) => [i.ref, i]));
    const bItems = new Map((b?.items ?? []).map((i) => [i.ref, i]));
    // The items compared whole, then shown as the drill-down would show them to this caller.
    const brief = (i: PackItem) =>
      reader.figuresOnly
        ? { caseNumber: i.caseNumber, regionCode: i.regionCode, inNumerator: i.inNumerator }
        : { ref: i.ref, caseId: i.caseId, caseNumber: i.caseNumber, inNumerator: i.inNumerator };
    const seen = (i: PackItem) => itemVisible(reader, i);
    const added = [...bItems.values()].filter((i) => !aItems.has(i.ref) && seen(i)).map(brief);
    const removed = [...aItems.values()].filter((i) => !bItems.has(i.ref) && seen(i)).map(brief);
    const changed = [...bItems.values()]
      .filter((i) => seen(i) && aItems.has(i.ref) && (aItems.get(i.ref)!.digest !== i.digest || aItems.get(i.ref)!.inNumerator !== i.inNumerator))
      .map((i) => ({ ...brief(i), wasInNumerator: aItems.get(i.ref)!.inNumerator }));
    const sub = (x: number | null | undefined, y: number | null | undefined) =>
      x === null || x === undefined || y === null || y === undefined ? null : Math.round((x - y) * 10_000) / 10_000;
    return {
      id: fid,
      name: FIGURES[fid].name,
      before: { numerator: a?.numerator ?? 0, denominator: a?.denominator ?? null, rate: a?.rate ?? null },
      after: { numerator: b?.numerator ?? 0, denominator: b?.denominator ?? null, rate: b?.rate ?? null },
      delta: { numerator: (b?.numerator ?? 0) - (a?.numerator ?? 0), denominator: sub(b?.denominator, a?.denominator), rate: sub(b?.rate, a?.rate) },
      added,
      removed,
      changed,
    };
  });
  return {
    pack: { id: now.id, meetingDate: now.meetingDate, period: now.period, regions: now.regions.map((r) => r.code) },
    since: { id: before.id, meetingDate: before.meetingDate, period: before.period, regions: before.regions.map((r) => r.code) },
    figures,
  };
}
