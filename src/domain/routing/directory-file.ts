/**
 * DirectoryFile: the zod schema for a directory loaded from JSON (schemas/directory/*.json), with
 * cross-reference checks that fail with a path and a plain message:
 *   units[12].successorId: unknown unit id "kc-cgj2"
 *
 * Checks: unique region codes, unit ids, unit codes (统一社会信用代码, with the GB 32100-2015 check
 * character), body codes; every regionCode / entrustedBy / successorId points at something listed; an
 * entrusted organisation names its entrusting unit [B 第三条(三)]; a successor only for an abolished
 * unit and no successor loops [B 第三条(四)]; served-region periods run forwards.
 */
import { z } from 'zod';
import { isIsoDate } from './dates.js';
import { buildDirectoryIndex, UNIT_KINDS, type DirectoryData, type DirectoryIndex } from './directory.js';

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const USCC_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** The check character (18th) of a 统一社会信用代码 from its first 17 characters (GB 32100-2015). */
export function unitCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARS.indexOf(first17.charAt(i));
    if (v < 0) throw new RangeError(`invalid character in unit code: ${JSON.stringify(first17.charAt(i))}`);
    sum += v * USCC_WEIGHTS[i]!;
  }
  return USCC_CHARS.charAt((31 - (sum % 31)) % 31);
}

/** A well-formed 统一社会信用代码: shape and check character. */
export function isValidUnitCode(code: string): boolean {
  return USCC_SHAPE.test(code) && unitCodeCheckChar(code.slice(0, 17)) === code.charAt(17);
}

const isoDate = z.string().refine(isIsoDate, { message: 'must be a date YYYY-MM-DD' });
const name = z.string().trim().min(1).max(200);
const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'ids use letters, digits and . _ : - (max 64)');

const RegionSchema = z.strictObject({
  code: z.string().regex(/^\d{6}$/, 'a region code has 6 digits (行政区划代码)'),
  name,
  prefixes: z.array(name).optional(),
});

const UnitSchema = z.strictObject({
  id,
  regionCode: z.string().regex(/^\d{6}$/, 'a region code has 6 digits (行政区划代码)'),
  name,
  aliases: z.array(name).default([]),
  kind: z.enum(UNIT_KINDS),
  entrustedBy: id.optional(),
  abolishedOn: isoDate.optional(),
  successorId: id.optional(),
  unitCode: z.string().refine(isValidUnitCode, { message: 'not a valid 统一社会信用代码 (18 characters, GB 32100-2015 check character)' }).optional(),
});

const ServedRegionSchema = z.strictObject({
  regionCode: z.string().regex(/^\d{6}$/),
  from: isoDate,
  to: isoDate.optional(),
});

const BodySchema = z.strictObject({
  code: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a sender code uses letters, digits and . _ - (max 64)'),
  name,
  kind: z.enum(['court', 'procuratorate']),
  level: z.enum(['basic', 'intermediate', 'high', 'supreme']).optional(),
  servedRegions: z.array(ServedRegionSchema),
});

export const DirectoryFile = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().optional(),
    regions: z.array(RegionSchema).min(1),
    units: z.array(UnitSchema),
    courts: z.array(BodySchema),
    procuratorates: z.array(BodySchema).default([]),
  })
  .superRefine((d, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

    const regionCodes = new Set<string>();
    d.regions.forEach((r, i) => {
      if (regionCodes.has(r.code)) issue(['regions', i, 'code'], `duplicate region code "${r.code}"`);
      regionCodes.add(r.code);
    });

    const unitIds = new Map<string, number>();
    d.units.forEach((u, i) => {
      if (unitIds.has(u.id)) issue(['units', i, 'id'], `duplicate unit id "${u.id}" (also units[${unitIds.get(u.id)}])`);
      else unitIds.set(u.id, i);
    });
    const unitCodes = new Map<string, number>();
    d.units.forEach((u, i) => {
      if (u.unitCode === undefined) return;
      if (unitCodes.has(u.unitCode)) {
        issue(['units', i, 'unitCode'], `duplicate unit code "${u.unitCode}" (also units[${unitCodes.get(u.unitCode)}])`);
      } else unitCodes.set(u.unitCode, i);
    });

    d.units.forEach((u, i) => {
      if (!regionCodes.has(u.regionCode)) issue(['units', i, 'regionCode'], `unknown region code "${u.regionCode}"`);
      // B 第三条(三): an entrusted organisation acts for the unit that entrusted it.
      if (u.kind === 'entrusted_org' && u.entrustedBy === undefined) {
        issue(['units', i, 'entrustedBy'], `entrusted organisation "${u.id}" must name its entrusting unit (entrustedBy)`);
      }
      if (u.entrustedBy !== undefined) {
        if (u.kind !== 'entrusted_org') issue(['units', i, 'entrustedBy'], `only an entrusted_org has entrustedBy (unit "${u.id}" is ${u.kind})`);
        if (u.entrustedBy === u.id) issue(['units', i, 'entrustedBy'], `unit "${u.id}" cannot entrust itself`);
        else if (!unitIds.has(u.entrustedBy)) issue(['units', i, 'entrustedBy'], `unknown unit id "${u.entrustedBy}"`);
      }
      // B 第三条(四): the successor continues the powers of an abolished unit.
      if (u.successorId !== undefined) {
        if (u.abolishedOn === undefined) issue(['units', i, 'successorId'], `unit "${u.id}" has a successor but no abolishedOn`);
        if (u.successorId === u.id) issue(['units', i, 'successorId'], `unit "${u.id}" cannot succeed itself`);
        else if (!unitIds.has(u.successorId)) issue(['units', i, 'successorId'], `unknown unit id "${u.successorId}"`);
      }
    });

    // Successor loops (A → B → A), regardless of dates.
    const succ = new Map(d.units.filter((u) => u.successorId !== undefined).map((u) => [u.id, u.successorId!]));
    const reported = new Set<string>();
    for (const start of succ.keys()) {
      const path: string[] = [];
      const onPath = new Set<string>();
      let cur: string | undefined = start;
      while (cur !== undefined && !onPath.has(cur) && !reported.has(cur)) {
        path.push(cur);
        onPath.add(cur);
        cur = succ.get(cur);
      }
      if (cur !== undefined && onPath.has(cur)) {
        const loop = path.slice(path.indexOf(cur));
        if (!loop.some((x) => reported.has(x))) {
          issue(['units', unitIds.get(cur) ?? 0, 'successorId'], `successor loop: ${[...loop, cur].join(' → ')}`);
        }
      }
      for (const p of path) reported.add(p);
    }

    const bodyCodes = new Set<string>();
    const checkBodies = (list: typeof d.courts, key: 'courts' | 'procuratorates', kind: 'court' | 'procuratorate') =>
      list.forEach((b, i) => {
        if (bodyCodes.has(b.code)) issue([key, i, 'code'], `duplicate court/procuratorate code "${b.code}"`);
        bodyCodes.add(b.code);
        if (b.kind !== kind) issue([key, i, 'kind'], `an entry of ${key} must have kind "${kind}"`);
        b.servedRegions.forEach((s, j) => {
          if (!regionCodes.has(s.regionCode)) issue([key, i, 'servedRegions', j, 'regionCode'], `unknown region code "${s.regionCode}"`);
          if (s.to !== undefined && s.to < s.from) issue([key, i, 'servedRegions', j, 'to'], `period ends (${s.to}) before it starts (${s.from})`);
        });
      });
    checkBodies(d.courts, 'courts', 'court');
    checkBodies(d.procuratorates, 'procuratorates', 'procuratorate');
  });

export type DirectoryFileInput = z.input<typeof DirectoryFile>;

// The parsed file is a DirectoryData (compile-time check that schema and types agree).
type Parsed = z.output<typeof DirectoryFile>;
const _parsedIsData = (p: Parsed): DirectoryData => p;
void _parsedIsData;

export class DirectoryValidationError extends Error {
  readonly issues: readonly string[];
  constructor(source: string, issues: readonly string[]) {
    super(`invalid directory ${source}:\n  ${issues.join('\n  ')}`);
    this.name = 'DirectoryValidationError';
    this.issues = issues;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

/** Validate JSON data as a directory; the issues are 'path: message' lines. */
export function parseDirectoryFile(json: unknown): { ok: true; data: DirectoryData } | { ok: false; issues: string[] } {
  const r = DirectoryFile.safeParse(json);
  if (r.success) return { ok: true, data: r.data };
  return { ok: false, issues: r.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
}

/** Validate and index; throws DirectoryValidationError listing every problem. */
export function loadDirectory(json: unknown, source = '(input)'): DirectoryIndex {
  const r = parseDirectoryFile(json);
  if (!r.ok) throw new DirectoryValidationError(source, r.issues);
  return buildDirectoryIndex(r.data);
}
