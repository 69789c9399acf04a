/**
 * The unit directory as stored snapshots. Routing reads the current one through a per-process cache keyed
 * by version (one indexed query per delivery to check the version; the index is built once per version).
 */
import { desc, eq } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { directorySnapshots } from '../../schemas/db/index.js';
import { buildDirectoryIndex, parseDirectoryFile, type DirectoryData, type DirectoryIndex, type Unit } from '../domain/routing/index.js';
import { jsonDigest } from '../lib/encoding.js';
import { Problem } from '../lib/problem.js';

import { invalidateLookups, lookup } from '../lib/ttl-cache.js';
import { slot } from '../lib/process-state.js';

/** The current unit directory, indexed once per version. */
const DIRECTORY = slot<{ current?: CurrentDirectory }>('directory', () => ({}));

export interface CurrentDirectory {
  version: number;
  index: DirectoryIndex;
}

const EMPTY: DirectoryData = { regions: [], units: [], courts: [] };

export async function currentDirectory(deps: Deps): Promise<CurrentDirectory> {
  const version = await lookup(deps, 'directory:version', async () => {
    const [row] = await deps.db.orm.select({ version: directorySnapshots.version }).from(directorySnapshots).orderBy(desc(directorySnapshots.version)).limit(1);
    return row?.version ?? 0;
  });
  const cache = deps.state.get(DIRECTORY);
  const hit = cache.current;
  if (hit && hit.version === version) return hit;
  let index: DirectoryIndex;
  if (version === 0) index = buildDirectoryIndex(EMPTY);
  else {
    const [snap] = await deps.db.orm.select({ data: directorySnapshots.data }).from(directorySnapshots).where(eq(directorySnapshots.version, version));
    index = buildDirectoryIndex(JSON.parse(snap!.data) as DirectoryData);
  }
  cache.current = { version, index };
  return cache.current;
}

/** The directory file of a given version (current when omitted). */
export async function directorySnapshot(deps: Deps, version?: number) {
  const q = deps.db.orm.select().from(directorySnapshots);
  const [row] = version === undefined ? await q.orderBy(desc(directorySnapshots.version)).limit(1) : await q.where(eq(directorySnapshots.version, version));
  if (!row) return { version: 0, data: EMPTY as unknown, digest: await jsonDigest(EMPTY), createdAt: null as Date | null, note: 'empty' };
  return { version: row.version, data: JSON.parse(row.data) as unknown, digest: row.digest, createdAt: row.createdAt, note: row.note };
}

function validate(input: unknown): DirectoryData {
  const r = parseDirectoryFile(input);
  if (!r.ok) throw new Problem('invalid-directory', `the directory is not valid:\n  ${r.issues.slice(0, 10).join('\n  ')}`, { errors: r.issues });
  return r.data;
}

/** Replace the whole directory (load a file): validated, versioned, audited. */
export async function saveDirectory(deps: Deps, input: unknown, actor: string, note: string): Promise<{ version: number; digest: string }> {
  const data = validate(input);
  const digest = await jsonDigest(data);
  const [row] = await deps.db.orm.select({ version: directorySnapshots.version }).from(directorySnapshots).orderBy(desc(directorySnapshots.version)).limit(1);
  const version = (row?.version ?? 0) + 1;
  return deps.writer
    .audited(
      [
        {
          actor,
          action: 'directory.saved',
          subject: `directory:${version}`,
          data: { version, digest, note, regions: data.regions.length, units: data.units.length, courts: data.courts.length },
        },
      ],
      async () => ({
        items: [deps.db.orm.insert(directorySnapshots).values({ version, data: JSON.stringify(data), digest, actor, note, createdAt: deps.clock.now() })],
        result: { version, digest },
      }),
    )
    .finally(() => invalidateLookups(deps));
}

/** Apply one change to the current directory and save it as the next version. */
export async function changeDirectory(deps: Deps, actor: string, note: string, change: (d: DirectoryData) => DirectoryData) {
  const snap = await directorySnapshot(deps);
  const next = change(snap.data as DirectoryData);
  return saveDirectory(deps, next, actor, note);
}

export function upsertUnit(unit: Unit) {
  return (d: DirectoryData): DirectoryData => {
    const units = d.units.some((u) => u.id === unit.id) ? d.units.map((u) => (u.id === unit.id ? unit : u)) : [...d.units, unit];
    return { ...d, units };
  };
}

export function abolishUnit(unitId: string, on: string, successorId?: string) {
  return (d: DirectoryData): DirectoryData => {
    if (!d.units.some((u) => u.id === unitId)) throw new Problem('not-found', `no unit with id "${unitId}" in the directory`);
    return { ...d, units: d.units.map((u) => (u.id === unitId ? { ...u, abolishedOn: on, ...(successorId ? { successorId } : {}) } : u)) };
  };
}

/** A dated announcement: a court (or procuratorate) serves a region from a date, optionally until a date. */
export function setServedRegion(bodyCode: string, served: { regionCode: string; from: string; to?: string }) {
  return (d: DirectoryData): DirectoryData => {
    const apply = <T extends { code: string; servedRegions: readonly { regionCode: string; from: string; to?: string }[] }>(bodies: readonly T[]) =>
      bodies.map((b) =>
        b.code !== bodyCode
          ? b
          : { ...b, servedRegions: [...b.servedRegions.filter((s) => !(s.regionCode === served.regionCode && s.from === served.from)), served] },
      );
    const inCourts = d.courts.some((b) => b.code === bodyCode);
    const inProcs = (d.procuratorates ?? []).some((b) => b.code === bodyCode);
    if (!inCourts && !inProcs) throw new Problem('not-found', `no court or procuratorate with code "${bodyCode}" in the directory`);
    return { ...d, courts: apply(d.courts), ...(d.procuratorates ? { procuratorates: apply(d.procuratorates) } : {}) };
  };
}
