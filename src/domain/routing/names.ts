/**
 * Name normalisation and the region-prefix variants used to resolve a unit name as a court writes it.
 *
 * Courts write the same unit in several ways: 衢州市自然资源和规划局柯城分局, 柯城区自然资源局, 区自然资源局,
 * with full-width brackets or stray spaces. The directory lists known aliases; this file only makes the
 * comparison robust (normaliseName) and offers the prefix variants (prefixVariants) that the index tries
 * when no exact name or alias matches. Pure functions, no I/O.
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
  return s
    .normalize('NFKC')
    .replace(SPACES, '')
    .replace(OPEN_BRACKETS, '(')
    .replace(CLOSE_BRACKETS, ')')
    .toUpperCase();
}

/** How a written name matched a directory entry. */
export type MatchVia =
  | 'unit_code' // the court sent a 统一社会信用代码 or directory id
  | 'name' // exact (normalised) official name
  | 'alias' // exact (normalised) alias listed in the directory
  | 'prefix_stripped' // the written name carries the region prefix, the directory entry does not
  | 'prefix_added'; // the directory entry carries the region prefix, the written name does not

export interface NameVariant {
  readonly key: string;
  readonly via: 'prefix_stripped' | 'prefix_added';
}

/**
 * The prefix forms of a region, longest first: its name (柯城区), its listed prefixes (衢州市柯城区), all
 * normalised. The level character (区/县/市/旗) is the last character of the region name.
 */
export function regionPrefixes(name: string, extra: readonly string[] = []): string[] {
  const all = new Set<string>([name, ...extra].map(normaliseName).filter((p) => p.length > 0));
  return [...all].sort((a, b) => b.length - a.length);
}

/**
 * Variants of an (already normalised) written name for one region, excluding the name itself:
 * - 柯城区自然资源局 → 自然资源局, 区自然资源局, 衢州市柯城区自然资源局 (prefix stripped, or swapped);
 * - 区自然资源局 → 柯城区自然资源局, 衢州市柯城区自然资源局 (the bare level character expanded);
 * - 自然资源局 → 柯城区自然资源局, 区自然资源局, 衢州市柯城区自然资源局 (prefix added).
 * The caller accepts a variant match only if it is unambiguous.
 */
export function prefixVariants(key: string, prefixes: readonly string[], levelChar: string): NameVariant[] {
  const out = new Map<string, NameVariant['via']>();
  const add = (k: string, via: NameVariant['via']) => {
    if (k.length > 0 && k !== key && !out.has(k)) out.set(k, via);
  };
  const hit = prefixes.find((p) => key.startsWith(p) && key.length > p.length);
  if (hit !== undefined) {
    const rest = key.slice(hit.length);
    add(rest, 'prefix_stripped');
    if (levelChar) add(levelChar + rest, 'prefix_stripped');
    for (const p of prefixes) add(p + rest, 'prefix_stripped');
  } else if (levelChar && key.startsWith(levelChar) && key.length > levelChar.length) {
    const rest = key.slice(levelChar.length);
    for (const p of prefixes) add(p + rest, 'prefix_added');
  } else {
    for (const p of prefixes) add(p + key, 'prefix_added');
    if (levelChar) add(levelChar + key, 'prefix_added');
  }
  return [...out].map(([k, via]) => ({ key: k, via }));
}
