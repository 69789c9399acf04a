/**
 * The regions' rosters of legal advisers (法律顾问团队库, Q 一(三)): the district's justice bureau selects the lawyers
 * "为全区各行政机关行政应诉提供委托代理人选参考", so it keeps its own region's roster (an administrator any region's).
 * Agents chosen as legal advisers for an appearance must be on it and active (services/steps.ts). A retired adviser
 * stays in the roster (earlier appearances name it) and can be restored.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { legalAdvisers } from '../../schemas/db/index.js';
import { newId } from '../lib/ids.js';
import { Problem } from '../lib/problem.js';
import { insertRows } from '../lib/raw-insert.js';
import type { Principal } from './clients.js';
import { visibleRegions } from './access.js';
import { auditedUpdate } from './audit-rows.js';

export interface Adviser {
  id: string;
  regionCode: string;
  name: string;
  organisation: string;
  active: boolean;
}

const shape = ({ id, regionCode, name, organisation, active }: typeof legalAdvisers.$inferSelect): Adviser => ({ id, regionCode, name, organisation, active });

/** May this caller keep region's roster? Admin any; a justice bureau its own region's (Q 一(三)). */
export function mayKeepRoster(p: Principal, region: string): boolean {
  return p.role === 'admin' || (p.role === 'justice_bureau' && p.scope === region);
}

function assertKeeper(p: Principal, region: string) {
  if (!mayKeepRoster(p, region)) throw new Problem('forbidden', "the roster of legal advisers is kept by the region's justice bureau");
}

/** A region's roster: any caller who may see the region reads its active advisers; its keeper also the retired ones. */
export async function listAdvisers(deps: Deps, p: Principal, region: string, opts: { retired?: boolean } = {}): Promise<Adviser[]> {
  const regions = await visibleRegions(deps, p);
  if (regions !== null && !regions.includes(region)) throw new Problem('forbidden', 'outside the regions this client may see');
  if (opts.retired) assertKeeper(p, region);
  const rows = await deps.db.orm
    .select()
    .from(legalAdvisers)
    .where(opts.retired ? eq(legalAdvisers.regionCode, region) : and(eq(legalAdvisers.regionCode, region), eq(legalAdvisers.active, true)))
    .orderBy(asc(legalAdvisers.name));
  return rows.map(shape);
}

function cleanText(v: string, what: string, max: number): string {
  const t = v.trim();
  if (!t) throw new Problem('bad-request', `${what} is required`);
  if (t.length > max) throw new Problem('bad-request', `${what} is longer than ${max} characters`);
  return t;
}

export async function addAdviser(deps: Deps, p: Principal, region: string, input: { name: string; organisation: string }, actor: string): Promise<Adviser> {
  assertKeeper(p, region);
  const name = cleanText(input.name, 'name', 100);
  const organisation = cleanText(input.organisation, 'organisation', 200);
  const row = { id: newId(), regionCode: region, name, organisation, active: true, createdAt: deps.clock.now() };
  await deps.writer.audited([{ actor, action: 'adviser.added', subject: `region:${region}`, data: { id: row.id, name, organisation } }], async () => ({
    items: [insertRows(legalAdvisers, [row])],
    result: null,
  }));
  return shape(row);
}

/** Correct an adviser's name or organisation, retire it (active: false) or restore it. */
export async function updateAdviser(
  deps: Deps,
  p: Principal,
  id: string,
  input: { name?: string; organisation?: string; active?: boolean },
  actor: string,
): Promise<Adviser> {
  const [row] = await deps.db.orm.select().from(legalAdvisers).where(eq(legalAdvisers.id, id));
  if (!row) throw new Problem('not-found', `no legal adviser with id ${id}`);
  // Another region's bureau: refused, with nothing of the adviser in the answer.
  assertKeeper(p, row.regionCode);
  const set = {
    ...(input.name !== undefined ? { name: cleanText(input.name, 'name', 100) } : {}),
    ...(input.organisation !== undefined ? { organisation: cleanText(input.organisation, 'organisation', 200) } : {}),
    ...(input.active !== undefined ? { active: input.active } : {}),
  };
  if (Object.keys(set).length === 0) throw new Problem('bad-request', 'nothing to change: give name, organisation or active');
  const action = input.active === false ? 'adviser.retired' : input.active === true && !row.active ? 'adviser.restored' : 'adviser.changed';
  await deps.writer.audited([{ actor, action, subject: `region:${row.regionCode}`, data: { id, ...set } }], async () => ({
    items: [auditedUpdate(deps, legalAdvisers, set, eq(legalAdvisers.id, id))],
    result: null,
  }));
  return shape({ ...row, ...set });
}
