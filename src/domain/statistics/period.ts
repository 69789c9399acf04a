/**
 * Reporting periods (docs/domain.md §7: monthly dispatch and ledger, quarterly bulletin, half-year analysis, annual
 * report [S 五(二)(六), G 半年报告, P 第十五条]). A period is a closed range of Beijing dates.
 *
 *   2026          the year
 *   2026-H1       first half (2026-H2 second half)
 *   2026-Q3       a quarter
 *   2026-11       a month
 *   2026-03-05..2026-06-30   any range (inclusive)
 */
import { BEIJING_OFFSET_MS } from '../calendar/civil.js';
import { InvalidInput } from '../invalid-input.js';

export interface Period {
  /** First day, Beijing date (inclusive). */
  from: string;
  /** Last day, Beijing date (inclusive). */
  to: string;
  /** The form it was given in, normalised. */
  label: string;
  kind: 'year' | 'half' | 'quarter' | 'month' | 'range';
}

const DAY = 86_400_000;
const BEIJING = BEIJING_OFFSET_MS;

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate(); // m is 1-based
const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

/** A period string that is not one: a caller's input, answered as a 400 (src/lib/problem.ts toProblem). */
export class PeriodError extends InvalidInput {
  override readonly name = 'PeriodError';
}

export function parsePeriod(input: string): Period {
  const s = input.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})$/.exec(s))) return { from: `${m[1]}-01-01`, to: `${m[1]}-12-31`, label: s, kind: 'year' };
  if ((m = /^(\d{4})-H([12])$/i.exec(s))) {
    const h = Number(m[2]);
    return { from: `${m[1]}-${h === 1 ? '01-01' : '07-01'}`, to: `${m[1]}-${h === 1 ? '06-30' : '12-31'}`, label: `${m[1]}-H${h}`, kind: 'half' };
  }
  if ((m = /^(\d{4})-Q([1-4])$/i.exec(s))) {
    const y = Number(m[1]);
    const q = Number(m[2]);
    const last = q * 3;
    return { from: `${y}-${pad(last - 2)}-01`, to: `${y}-${pad(last)}-${pad(lastDay(y, last))}`, label: `${y}-Q${q}`, kind: 'quarter' };
  }
  if ((m = /^(\d{4})-(\d{2})$/.exec(s))) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) throw new PeriodError(`no month ${m[2]} in "${input}"`);
    return { from: `${y}-${pad(mo)}-01`, to: `${y}-${pad(mo)}-${pad(lastDay(y, mo))}`, label: s, kind: 'month' };
  }
  if ((m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(s))) {
    if (!isDate(m[1]!) || !isDate(m[2]!)) throw new PeriodError(`"${input}": not real dates`);
    if (m[2]! < m[1]!) throw new PeriodError(`"${input}": the range ends before it starts`);
    return { from: m[1]!, to: m[2]!, label: s, kind: 'range' };
  }
  throw new PeriodError(`period "${input}" is not one of 2026, 2026-H1, 2026-Q3, 2026-11, 2026-01-01..2026-06-30`);
}

/** The Beijing date of an instant (ms since the epoch). */
export const beijingDateOf = (ms: number): string => {
  // The figures ask this of every case and hearing many times over: the day's text is formatted once per day.
  const t = Math.trunc(ms + BEIJING); // as new Date(ms + BEIJING) takes it
  const day = Math.floor(t / DAY);
  let s = dayText.get(day);
  if (s === undefined) {
    s = new Date(t).toISOString().slice(0, 10); // throws on an invalid instant, as before
    if (dayText.size >= 100_000) dayText.clear();
    dayText.set(day, s);
  }
  return s;
};
const dayText = new Map<number, string>();

/** [start, end) in ms since the epoch of a period of Beijing dates. */
export function periodInstants(p: Pick<Period, 'from' | 'to'>): { startMs: number; endMs: number } {
  return { startMs: Date.parse(`${p.from}T00:00:00Z`) - BEIJING, endMs: Date.parse(`${p.to}T00:00:00Z`) - BEIJING + DAY };
}

export const inPeriod = (date: string, p: Pick<Period, 'from' | 'to'>) => date >= p.from && date <= p.to;
