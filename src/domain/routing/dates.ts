/** ISO calendar dates 'YYYY-MM-DD' (Beijing legal dates). They compare correctly as strings. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
  return d <= days;
}

export function assertIsoDate(s: string, what: string): void {
  if (!isIsoDate(s)) throw new RangeError(`${what} must be an ISO date YYYY-MM-DD, got ${JSON.stringify(s)}`);
}
