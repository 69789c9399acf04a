/** Trust registrations: courts and procuratorates with the CA certificates that may sign for them. */
import { and, asc, eq } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { senderCas, senders } from '../../schemas/db/index.js';
import { parseCertificate, pemToDers, type TrustAnchor } from '../lib/pki.js';
import { fromBase64, toBase64 } from '../lib/encoding.js';
import { newId } from '../lib/ids.js';
import { Problem } from '../lib/problem.js';

import { invalidateLookups, lookup } from '../lib/ttl-cache.js';
import type { SenderType } from '../domain/vocabulary.js';

export interface SenderInput {
  code: string;
  type: SenderType;
  name: string;
  callbackUrl?: string;
  caPem: string;
  /** Hard- or soft-fail when no fresh revocation status is held (default soft). */
  revocationPolicy?: 'hard' | 'soft';
  /** Registered for 国密: JWS SM2SM3 and XML SM2-SM3 accepted. */
  sm2?: boolean;
}

/** Register a sender with its CA certificates, or add CAs to an existing sender (trust version bumps). */
export async function registerSender(deps: Deps, input: SenderInput, actor = 'admin'): Promise<{ code: string; added: string[] }> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(input.code)) throw new Problem('bad-request', `sender code "${input.code}" must be 1–64 of A-Z a-z 0-9 . _ -`);
  const ders = pemToDers(input.caPem);
  if (ders.length === 0) throw new Problem('bad-request', 'the CA file holds no PEM CERTIFICATE block');
  const certs = await Promise.all(ders.map((d) => parseCertificate(d)));
  const now = deps.clock.now();
  const [existing] = await deps.db.orm.select().from(senders).where(eq(senders.code, input.code));
  if (existing && existing.type !== input.type) throw new Problem('conflict', `sender ${input.code} is registered as ${existing.type}, not ${input.type}`);
  const known = new Set((await deps.db.orm.select({ fp: senderCas.fingerprint }).from(senderCas).where(eq(senderCas.senderCode, input.code))).map((r) => r.fp));
  const fresh = certs.filter((c) => !known.has(c.fingerprint));
  return deps.writer
    .audited(
      [
        {
          actor,
          action: existing ? 'sender.ca_added' : 'sender.registered',
          subject: `sender:${input.code}`,
          data: {
            code: input.code,
            type: input.type,
            name: input.name,
            revocationPolicy: input.revocationPolicy ?? null,
            sm2: input.sm2 ?? null,
            cas: fresh.map((c) => ({ subject: c.subject, fingerprint: c.fingerprint })),
          },
        },
      ],
      async () => {
        const items = [];
        if (existing) {
          // Read under the write lock (build runs inside it): the new version is a value the audit log can commit to.
          const [current] = await deps.db.orm.select({ v: senders.trustVersion }).from(senders).where(eq(senders.code, input.code));
          items.push(
            deps.db.orm
              .update(senders)
              .set({
                name: input.name,
                callbackUrl: input.callbackUrl ?? existing.callbackUrl,
                trustVersion: (current?.v ?? existing.trustVersion) + 1,
                ...(input.revocationPolicy ? { revocationPolicy: input.revocationPolicy } : {}),
                ...(input.sm2 !== undefined ? { sm2: input.sm2 } : {}),
              })
              .where(eq(senders.code, input.code)),
          );
        } else {
          items.push(
            deps.db.orm.insert(senders).values({
              code: input.code,
              type: input.type,
              name: input.name,
              callbackUrl: input.callbackUrl ?? null,
              createdAt: now,
              revocationPolicy: input.revocationPolicy ?? 'soft',
              sm2: input.sm2 ?? false,
            }),
          );
        }
        for (const c of fresh) {
          items.push(
            deps.db.orm.insert(senderCas).values({
              id: newId(),
              senderCode: input.code,
              fingerprint: c.fingerprint,
              subject: c.subject,
              notBefore: c.notBefore,
              notAfter: c.notAfter,
              der: toBase64(c.der),
              addedAt: now,
            }),
          );
        }
        return { items, result: { code: input.code, added: fresh.map((c) => c.fingerprint) } };
      },
    )
    .finally(() => invalidateLookups(deps));
}

export async function listSenders(deps: Deps) {
  const rows = await deps.db.orm.select().from(senders).orderBy(asc(senders.code));
  const cas = await deps.db.orm.select().from(senderCas).orderBy(asc(senderCas.addedAt));
  return rows.map((s) => ({
    code: s.code,
    type: s.type,
    name: s.name,
    callbackUrl: s.callbackUrl,
    trustVersion: s.trustVersion,
    revocationPolicy: s.revocationPolicy,
    sm2: s.sm2,
    cas: cas.filter((c) => c.senderCode === s.code).map((c) => ({ subject: c.subject, fingerprint: c.fingerprint, notAfter: c.notAfter.toISOString() })),
  }));
}

export function findSender(deps: Deps, code: string) {
  return lookup(deps, `sender:${code}`, async () => (await deps.db.orm.select().from(senders).where(eq(senders.code, code)))[0]);
}

export async function trustAnchors(deps: Deps, code: string): Promise<TrustAnchor[]> {
  const rows = await deps.db.orm
    .select({ der: senderCas.der, fingerprint: senderCas.fingerprint })
    .from(senderCas)
    .where(and(eq(senderCas.senderCode, code)));
  return rows.map((r) => ({ der: fromBase64(r.der), fingerprint: r.fingerprint }));
}
