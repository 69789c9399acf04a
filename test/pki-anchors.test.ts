/**
 * validateChain with a sender that has several CAs: only the CAs valid at arrival are anchors, so a CA that is
 * expired or not yet valid (an old one kept beside its successor, or the demo's CA made today beside the
 * simulator's made for a past year) never refuses a chain to another CA that is valid.
 */
import { describe, expect, it } from 'vitest';
import { createCa, issueSigner } from '../adapters/node/court-kit.js';
import { validateChain, type TrustAnchor } from '../src/lib/pki.js';
import { Problem } from '../src/lib/problem.js';
import { sha256Hex } from '../src/lib/encoding.js';

const DAY = 86_400_000;
const at = new Date('2026-03-02T02:00:00Z');
const anchor = async (der: Uint8Array): Promise<TrustAnchor> => ({ der, fingerprint: await sha256Hex(der) });

describe('a sender with several CAs', () => {
  // The CA of the past year, and one made "today" (valid only from after the arrival), as the demo does.
  const past = createCa('演示法院 模拟CA', { notBefore: new Date(at.getTime() - 100 * DAY), notAfter: new Date(at.getTime() + 900 * DAY), org: '演示法院' });
  const later = createCa('演示法院 演示CA', { notBefore: new Date(at.getTime() + 200 * DAY), notAfter: new Date(at.getTime() + 2000 * DAY), org: '演示法院' });
  const leaf = issueSigner(past, '演示法院 电子送达平台签章', {
    notBefore: new Date(at.getTime() - 90 * DAY),
    notAfter: new Date(at.getTime() + 700 * DAY),
    org: '演示法院',
  });

  it('a chain to the CA valid at arrival is accepted although another registered CA is not valid then; the window is that of the path', async () => {
    const chain = await validateChain([leaf.der], [await anchor(later.der), await anchor(past.der)], at, 'court-demo');
    expect(chain.anchorFingerprint).toBe(await sha256Hex(past.der));
    expect(chain.notBefore).toBe(leaf.cert.validity.notBefore.getTime());
    expect(chain.notAfter).toBe(leaf.cert.validity.notAfter.getTime());
  });

  it('when no registered CA is valid at arrival, the refusal names the CA and its validity', async () => {
    const err = await validateChain([leaf.der], [await anchor(later.der)], at, 'court-demo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Problem);
    expect((err as Problem).message).toMatch(/registered CA \(.*演示CA.*\) is valid from .* not at arrival 2026-03-02T02:00:00.000Z/);
  });
});
