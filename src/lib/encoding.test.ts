/**
 * The JCS form (RFC 8785) the gateway signs and hashes: receipts, evidence, audit records and content commitments.
 * An audit log written by one version must verify under the next, so the form is pinned here by the RFC's own
 * examples, whatever canonicaliser package computes it.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './encoding.js';
import { InvalidInput } from './problem.js';

describe('canonicalJson: RFC 8785', () => {
  it('§3.2.2: members sorted, numbers and strings serialised as the RFC shows', () => {
    // The RFC's input, as JSON text (so its escapes are read as JSON reads them).
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], ' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('§3.2.3: members in the order of their names’ UTF-16 code units, not as JavaScript lists them', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", ' +
        '"\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    const values = [...canonicalJson(input).matchAll(/:"([^"]*)"/g)].map((m) => m[1]);
    expect(values).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  it('Appendix B: numbers as ECMAScript writes them', () => {
    expect(canonicalJson([-0, 1e21, 1e-7, 0.000001, 999999999999999900000, 9007199254740992])).toBe(
      '[0,1e+21,1e-7,0.000001,999999999999999900000,9007199254740992]',
    );
  });

  it('refuses what JCS cannot represent, as the input’s fault: a lone surrogate (in a value or a name), NaN, Infinity', () => {
    for (const bad of [{ a: 'x\ud800' }, { ['k\udc00']: 1 }, [Number.NaN], { n: Number.POSITIVE_INFINITY }]) {
      expect(() => canonicalJson(bad)).toThrow(InvalidInput);
    }
  });
});
