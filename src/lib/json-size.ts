/**
 * How much JSON text holds, counted without parsing it (issue 20: bad input must not freeze the gateway). JSON.parse
 * costs by the values it builds, not by the bytes: an unsigned 49 MB delivery whose manifest carried 2.7 million
 * small objects under an unknown key kept the gateway's event loop 2.2 s (`/healthz` waited 2,222 ms, the process
 * at 621 MB), where a delivery of the same size whose bytes are one inline attachment (a single base64 string) parses
 * in a few milliseconds. So untrusted JSON of any size is counted first and refused past a bound.
 *
 * What is counted: every string, and every `{`, `[` and `,` outside strings (so every object, array and member or
 * element after the first). A string is skipped by searching for its closing quote (indexOf), so a long base64 string
 * costs one step; the count stops at `max` + 1, so the scan never costs more than the bound it enforces. Text that is
 * not valid JSON is counted as far as it goes; JSON.parse says what is wrong with it afterwards.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const COMMA = 0x2c;

/** The tokens of `bytes` (UTF-8 JSON) as described above, or `max + 1` once there are more than `max`. */
export function jsonTokens(bytes: Uint8Array, max: number): number {
  let tokens = 0;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    if (b === QUOTE) {
      // The closing quote: the next one not escaped (preceded by an even number of backslashes).
      let end = bytes.indexOf(QUOTE, i + 1);
      for (;;) {
        if (end < 0) return tokens + 1; // unterminated: JSON.parse will say so
        let backslashes = 0;
        while (bytes[end - 1 - backslashes] === BACKSLASH) backslashes++;
        if (backslashes % 2 === 0) break;
        end = bytes.indexOf(QUOTE, end + 1);
      }
      if (++tokens > max) return tokens;
      i = end + 1;
    } else {
      if ((b === OPEN_OBJECT || b === OPEN_ARRAY || b === COMMA) && ++tokens > max) return tokens;
      i++;
    }
  }
  return tokens;
}
