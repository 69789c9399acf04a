/**
 * Name normalisation and the region-prefix stripping used to resolve a unit name as a court writes it.
 *
 * Courts write the same unit in several ways: 衢州市自然资源和规划局柯城分局, 柯城区自然资源局, 区自然资源局,
 * with full-width brackets or stray spaces. The directory lists known aliases; this file only makes the
 * comparison robust (normaliseName) and gives a name's core without its region prefix (stripRegionPrefix),
 * which the index compares when no exact name or alias matches. Pure functions, no I/O.
 */

const OPEN_BRACKETS = /[（([［【〔〖｛{〈《「『]/g;
const CLOSE_BRACKETS = /[）)\]］】〕〗｝}〉》」』]/g;
// \s covers U+3000 (ideographic space) and U+00A0; the zero-width characters and BOM are not whitespace in JS.
const SPACES = /[\s\u200B-\u200D\u2060\uFEFF]/g;

/**
 * NFKC (full-width → half-width, compatibility forms), remove all whitespace (incl. U+3000 and zero-width
 * characters), unify every bracket style to ASCII ( ), upper-case Latin letters.
 */
export function normaliseName(s: string): string {
  return s.normalize('NFKC').replace(SPACES, '').replace(OPEN_BRACKETS, '(').replace(CLOSE_BRACKETS, ')').toUpperCase();
}

/** How a written name matched a directory entry. */
export type MatchVia =
  | 'unit_code' // the court sent a 统一社会信用代码 or directory id
  | 'name' // exact (normalised) official name
  | 'alias' // exact (normalised) alias listed in the directory
  | 'prefix_stripped' // the written name carries the region prefix, the directory entry does not
  | 'prefix_added'; // the directory entry carries the region prefix, the written name does not

/**
 * The prefix forms of a region, longest first: its name (柯城区), its listed prefixes (衢州市柯城区), all
 * normalised. The level character (区/县/市/旗) is the last character of the region name.
 */
export function regionPrefixes(name: string, extra: readonly string[] = []): string[] {
  const all = new Set<string>([name, ...extra].map(normaliseName).filter((p) => p.length > 0));
  return [...all].sort((a, b) => b.length - a.length);
}

/**
 * A normalised name without its region's prefix: the longest listed prefix (衢州市柯城区…, 柯城区…), else the
 * bare level character (区…); unchanged when it carries neither. The directory index compares names by
 * this core for prefix tolerance.
 */
export function stripRegionPrefix(key: string, prefixes: readonly string[], levelChar: string): { rest: string; stripped: 'prefix' | 'level' | 'none' } {
  for (const p of prefixes) if (key.length > p.length && key.startsWith(p)) return { rest: key.slice(p.length), stripped: 'prefix' };
  if (levelChar && key.length > levelChar.length && key.startsWith(levelChar)) return { rest: key.slice(levelChar.length), stripped: 'level' };
  return { rest: key, stripped: 'none' };
}
