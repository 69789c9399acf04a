/**
 * Certificate revocation (issue 22): a certificate revoked before the signing time is not trusted.
 *
 * Where a status comes from, in order, for each certificate of the validated path below the registered CA:
 *   1. an OCSP response stapled by the sender in the envelope (JWS header `ocsp`, XML <Revocation>);
 *   2. an OCSP response the sweep fetched from the certificate's AIA responder (table revocation_ocsp);
 *   3. the issuing CA's CRL, fetched by the sweep from a distribution point or uploaded by an administrator
 *      (table revocation_crls; its signature was checked against the issuing CA when it was stored).
 * An OCSP response counts while fresh (thisUpdate within `ocspFreshnessSeconds` of arrival, nextUpdate not
 * passed); a CRL while arrival lies between its thisUpdate and nextUpdate. pkijs parses and verifies the CRLs
 * and OCSP responses (SM2-signed ones too, src/lib/pki.ts); the revocation *time* is compared here, because
 * pkijs's chain engine treats any listed certificate as revoked, and one revoked after signing still counts.
 *
 * The signing time is the manifest's issuedAt, which the pipeline holds within the clock-skew window of arrival.
 * Nothing here touches the network: the sweep (revocationSweep) fetches; intake only reads what is stored, and
 * remembers a new certificate's distribution points and responders for the sweep.
 */
import { and, asc, eq, lte } from 'drizzle-orm';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import type { Deps, Stmt } from '../deps.js';
import { revocationCrls, revocationCrlSources, revocationOcsp, revocationRechecks, senderCas, senders } from '../../schemas/db/index.js';
import { parseCertificate, type PathCert, type VerifiedChain } from '../lib/pki.js';
import { fromBase64, toBase64 } from '../lib/encoding.js';
import { Problem } from '../lib/problem.js';
import { lookup, invalidateLookups } from '../lib/ttl-cache.js';
import { trustConfig, trustFetch } from '../lib/fetcher.js';

import { insertRows } from '../lib/raw-insert.js';
import { slot } from '../lib/process-state.js';

export type RevocationPolicy = 'hard' | 'soft';

/** What the receipt records about one certificate's status (receipt.revocation.checks[]). */
export interface RevocationCheck {
  certificate: string;
  certificateSha256: string;
  serialNumber: string;
  status: 'good' | 'revoked-after-signing' | 'unknown';
  source?: 'ocsp-stapled' | 'ocsp' | 'crl';
  /** CRL: its cRLNumber and thisUpdate; OCSP: producedAt and thisUpdate. */
  crlNumber?: string | null;
  thisUpdate?: string;
  producedAt?: string;
  revokedAt?: string;
}

export interface RevocationEvidence {
  policy: RevocationPolicy;
  /** good: every certificate had a fresh status; unknown: accepted under soft-fail, to be checked again. */
  status: 'good' | 'unknown';
  signedAt: string;
  checks: RevocationCheck[];
}

type Status =
  | { status: 'good'; source: RevocationCheck['source']; crlNumber?: string | null; thisUpdate: Date; producedAt?: Date; issuerSubject?: string }
  | {
      status: 'revoked';
      revokedAt: Date;
      source: RevocationCheck['source'];
      crlNumber?: string | null;
      thisUpdate: Date;
      producedAt?: Date;
      issuerSubject?: string;
    }
  | { status: 'unknown' };

// ------------------------------------------------------------------ CRLs

const OID_CRL_NUMBER = '2.5.29.20';

export interface ParsedCrl {
  issuerFingerprint: string;
  crlNumber: string | null;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** serial (lowercase hex, no leading zeros) → revocation date */
  revoked: Map<string, Date>;
}

/** Parsed CRLs per issuer, and the distribution points / responders already remembered, for this process. */
const REVOCATION = slot('revocation', () => ({ crls: new Map<string, { key: string; crl: ParsedCrl }>(), learned: new Set<string>() }));

const hexOf = (u: Uint8Array) => Array.from(u, (b) => b.toString(16).padStart(2, '0')).join('');
const serialOf = (i: asn1js.Integer) => hexOf(i.valueBlock.valueHexView).replace(/^0+(?=.)/, '') || '0';

/** DER or PEM (X509 CRL block) → DER. */
export function crlDer(input: Uint8Array | string): Uint8Array {
  const text = typeof input === 'string' ? input : input[0] === 0x30 ? undefined : new TextDecoder().decode(input);
  if (text === undefined) return input as Uint8Array;
  const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text);
  if (!m) throw new Problem('bad-request', 'the CRL is neither DER nor a PEM "X509 CRL" block');
  return fromBase64((m[1] ?? '').replace(/\s+/g, ''));
}

function readCrl(der: Uint8Array): pkijs.CertificateRevocationList {
  try {
    return pkijs.CertificateRevocationList.fromBER(der as Uint8Array<ArrayBuffer>);
  } catch {
    throw new Problem('bad-request', 'the CRL is not a DER X.509 CRL');
  }
}

function crlInfo(crl: pkijs.CertificateRevocationList, issuerFingerprint: string): ParsedCrl {
  const num = crl.crlExtensions?.extensions.find((e) => e.extnID === OID_CRL_NUMBER)?.parsedValue as asn1js.Integer | undefined;
  const revoked = new Map<string, Date>();
  for (const r of crl.revokedCertificates ?? []) revoked.set(serialOf(r.userCertificate as asn1js.Integer), r.revocationDate.value);
  return {
    issuerFingerprint,
    crlNumber: num ? BigInt(`0x${hexOf(num.valueBlock.valueHexView) || '0'}`).toString() : null,
    thisUpdate: crl.thisUpdate.value,
    nextUpdate: crl.nextUpdate?.value ?? null,
    revoked,
  };
}

/** Check a CRL's signature and issuer name against the CA that must have issued it; returns what it says. */
export async function verifyCrl(der: Uint8Array, issuerDer: Uint8Array): Promise<ParsedCrl> {
  const crl = readCrl(der);
  const issuer = await parseCertificate(issuerDer);
  if (!crl.issuer.isEqual(issuer.cert.subject)) throw new Problem('bad-request', `the CRL was issued by another CA than ${issuer.subject}`);
  let ok = false;
  try {
    ok = await crl.verify({ issuerCertificate: issuer.cert });
  } catch {
    ok = false;
  }
  if (!ok) throw new Problem('bad-request', `the CRL's signature does not verify with the key of ${issuer.subject}`);
  return crlInfo(crl, issuer.fingerprint);
}

/**
 * The statement storing a verified CRL if it is newer than the one kept for its issuer (wrapped: a drizzle
 * builder is a thenable, and an async function returning it would run it).
 */
async function crlStmt(
  deps: Deps,
  der: Uint8Array,
  info: ParsedCrl,
  issuerSubject: string,
  source: string,
  senderCode: string | null,
  now: Date,
): Promise<{ stmt: Stmt } | undefined> {
  const [old] = await deps.db.orm
    .select({ thisUpdate: revocationCrls.thisUpdate, crlNumber: revocationCrls.crlNumber })
    .from(revocationCrls)
    .where(eq(revocationCrls.issuerFingerprint, info.issuerFingerprint));
  if (old) {
    const newer =
      info.crlNumber !== null && old.crlNumber !== null ? BigInt(info.crlNumber) > BigInt(old.crlNumber) : info.thisUpdate.getTime() > old.thisUpdate.getTime();
    if (!newer) return undefined;
  }
  const row = {
    issuerFingerprint: info.issuerFingerprint,
    issuerSubject,
    crlNumber: info.crlNumber,
    thisUpdate: info.thisUpdate,
    nextUpdate: info.nextUpdate,
    der: toBase64(der),
    source,
    senderCode,
    storedAt: now,
  };
  return { stmt: deps.db.orm.insert(revocationCrls).values(row).onConflictDoUpdate({ target: revocationCrls.issuerFingerprint, set: row }) };
}

/**
 * An administrator's CRL for one sender (CLI `sender crl`, POST /v1/admin/senders/{code}/crls): it must be
 * issued and signed by one of the sender's registered CAs.
 */
export async function uploadCrl(deps: Deps, senderCode: string, input: Uint8Array | string, actor: string) {
  const der = crlDer(input);
  const crl = readCrl(der);
  const cas = await deps.db.orm.select({ der: senderCas.der, subject: senderCas.subject }).from(senderCas).where(eq(senderCas.senderCode, senderCode));
  if (cas.length === 0) throw new Problem('not-found', `no sender ${senderCode} with registered CAs`);
  let info: ParsedCrl | undefined;
  let issuerSubject = '';
  const reasons: string[] = [];
  for (const ca of cas) {
    const caCert = await parseCertificate(fromBase64(ca.der));
    if (!crl.issuer.isEqual(caCert.cert.subject)) continue;
    try {
      info = await verifyCrl(der, caCert.der);
      issuerSubject = caCert.subject;
      break;
    } catch (e) {
      reasons.push((e as Error).message);
    }
  }
  if (!info) throw new Problem('bad-request', reasons[0] ?? `the CRL was not issued by a CA registered for sender ${senderCode}`);
  const now = deps.clock.now();
  const stmt = await crlStmt(deps, der, info, issuerSubject, 'upload', senderCode, now);
  const summary = {
    issuer: issuerSubject,
    crlNumber: info.crlNumber,
    thisUpdate: info.thisUpdate.toISOString(),
    nextUpdate: info.nextUpdate?.toISOString() ?? null,
    revoked: info.revoked.size,
    stored: !!stmt,
  };
  if (!stmt) return summary;
  return deps.writer
    .audited([{ actor, action: 'sender.crl_uploaded', subject: `sender:${senderCode}`, data: summary }], async () => ({ items: [stmt.stmt], result: summary }))
    .finally(() => invalidateLookups(deps));
}

/** The CRL kept for an issuer, parsed once per stored version (memoised lookups, 1 s). */
async function storedCrl(deps: Deps, issuerFingerprint: string): Promise<ParsedCrl | undefined> {
  const row = await lookup(
    deps,
    `crl:${issuerFingerprint}`,
    async () => (await deps.db.orm.select().from(revocationCrls).where(eq(revocationCrls.issuerFingerprint, issuerFingerprint)))[0],
  );
  if (!row) return undefined;
  const cache = deps.state.get(REVOCATION).crls;
  const key = `${issuerFingerprint}|${row.thisUpdate.getTime()}|${row.crlNumber}`;
  const hit = cache.get(issuerFingerprint);
  if (hit && hit.key === key) return hit.crl;
  const crl = crlInfo(readCrl(fromBase64(row.der)), issuerFingerprint);
  cache.set(issuerFingerprint, { key, crl });
  return crl;
}

function statusFromCrl(crl: ParsedCrl, serial: string, at: Date): Status {
  if (crl.thisUpdate.getTime() > at.getTime() + 300_000) return { status: 'unknown' };
  if (crl.nextUpdate && crl.nextUpdate.getTime() < at.getTime()) return { status: 'unknown' };
  const revokedAt = crl.revoked.get(serial);
  const common = { source: 'crl' as const, crlNumber: crl.crlNumber, thisUpdate: crl.thisUpdate };
  return revokedAt ? { status: 'revoked', revokedAt, ...common } : { status: 'good', ...common };
}

// ------------------------------------------------------------------ OCSP

export interface OcspStatus {
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  producedAt: Date;
  thisUpdate: Date;
  nextUpdate?: Date;
}

function revocationTimeOf(certStatus: asn1js.AsnType): Date | undefined {
  const inner = (certStatus as unknown as { valueBlock?: { value?: unknown[] } }).valueBlock?.value?.[0] as
    { toDate?: () => Date; valueBlock?: { value?: string } } | undefined;
  if (inner?.toDate) return inner.toDate();
  try {
    const g = new asn1js.GeneralizedTime({ valueHex: (inner as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView });
    return g.toDate();
  } catch {
    return undefined;
  }
}

/**
 * Read an OCSPResponse (DER), check its signature is authorised for `cert` by `issuer` (the issuing CA, or a
 * responder it delegated with id-kp-OCSPSigning: pkijs's checks), and return the status it gives `cert`.
 * undefined: the response is not about this certificate.
 */
export async function ocspStatusFor(der: Uint8Array, cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<OcspStatus | undefined> {
  let basic: pkijs.BasicOCSPResponse;
  try {
    const resp = pkijs.OCSPResponse.fromBER(der as Uint8Array<ArrayBuffer>);
    if (resp.responseStatus.valueBlock.valueDec !== 0 || !resp.responseBytes) throw new Error(`responseStatus ${resp.responseStatus.valueBlock.valueDec}`);
    basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes.response.valueBlock.valueHexView as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new Problem('malformed-envelope', `a stapled OCSP response is not a successful DER OCSP response (${(e as Error).message})`);
  }
  const matched = await basic.getCertificateStatus(cert, issuer);
  if (!matched.isForCertificate) return undefined;
  let verified = false;
  try {
    verified = await basic.verify({ trustedCerts: [issuer] });
  } catch {
    verified = false;
  }
  if (!verified) throw new Problem('bad-signature', 'an OCSP response for the signer certificate is not signed by its CA or by a responder the CA authorised');
  // The single response that matched (same CertID), for its times and revocation time.
  for (const single of basic.tbsResponseData.responses) {
    const one = new pkijs.BasicOCSPResponse({ tbsResponseData: new pkijs.ResponseData({ responses: [single] }) });
    const r = await one.getCertificateStatus(cert, issuer);
    if (!r.isForCertificate) continue;
    const status = r.status === 0 ? 'good' : r.status === 1 ? 'revoked' : 'unknown';
    return {
      status,
      ...(status === 'revoked' ? { revokedAt: revocationTimeOf(single.certStatus) ?? single.thisUpdate } : {}),
      producedAt: basic.tbsResponseData.producedAt,
      thisUpdate: single.thisUpdate,
      ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}),
    };
  }
  return undefined;
}

const fresh = (deps: Deps, s: { thisUpdate: Date; nextUpdate?: Date | null }, at: Date) => {
  const maxAge = trustConfig(deps).ocspFreshnessSeconds * 1000;
  const t = at.getTime();
  return s.thisUpdate.getTime() <= t + 300_000 && t - s.thisUpdate.getTime() <= maxAge && (!s.nextUpdate || s.nextUpdate.getTime() >= t);
};

function statusFromOcsp(deps: Deps, o: OcspStatus, source: 'ocsp' | 'ocsp-stapled', at: Date): Status {
  if (!fresh(deps, o, at) || o.status === 'unknown') return { status: 'unknown' };
  const common = { source, thisUpdate: o.thisUpdate, producedAt: o.producedAt };
  return o.status === 'revoked' ? { status: 'revoked', revokedAt: o.revokedAt!, ...common } : { status: 'good', ...common };
}

async function storedOcsp(deps: Deps, fingerprint: string) {
  return lookup(
    deps,
    `ocsp:${fingerprint}`,
    async () => (await deps.db.orm.select().from(revocationOcsp).where(eq(revocationOcsp.certFingerprint, fingerprint)))[0],
  );
}

// ------------------------------------------------------------------ intake

const certOf = (p: PathCert) => pkijs.Certificate.fromBER(p.der as Uint8Array<ArrayBuffer>);

/** Statements that remember new distribution points and responders for the sweep (insert-or-ignore). */
function learnStmts(deps: Deps, senderCode: string, path: PathCert[], now: Date): Stmt[] {
  const learned = deps.state.get(REVOCATION).learned;
  const out: Stmt[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const c = path[i]!;
    const issuer = path[i + 1]!;
    for (const url of c.crlUrls.slice(0, 4)) {
      if (learned.has(`crl|${url}`)) continue;
      learned.add(`crl|${url}`);
      out.push(
        insertRows(
          revocationCrlSources,
          [{ url, issuerFingerprint: issuer.fingerprint, issuerDer: toBase64(issuer.der), senderCode, nextFetchAt: now, failures: 0 }],
          { onConflictDoNothing: true },
        ),
      );
    }
    const ocspUrl = c.ocspUrls[0];
    if (ocspUrl && !learned.has(`ocsp|${c.fingerprint}`)) {
      learned.add(`ocsp|${c.fingerprint}`);
      out.push(
        insertRows(
          revocationOcsp,
          [
            {
              certFingerprint: c.fingerprint,
              certSubject: c.subject,
              certDer: toBase64(c.der),
              issuerDer: toBase64(issuer.der),
              responderUrl: ocspUrl,
              senderCode,
              status: 'pending',
              nextFetchAt: now,
              failures: 0,
            },
          ],
          { onConflictDoNothing: true },
        ),
      );
    }
  }
  return out;
}

/** The status of path[i] (issued by path[i + 1]) at `at`, from what the gateway holds. */
async function statusOf(deps: Deps, path: PathCert[], i: number, stapled: Uint8Array[], at: Date): Promise<Status> {
  const c = path[i]!;
  const issuerCert = path[i + 1]!;
  if (stapled.length) {
    const cert = certOf(c);
    const issuer = certOf(issuerCert);
    for (const der of stapled) {
      const o = await ocspStatusFor(der, cert, issuer);
      if (!o) continue;
      const s = statusFromOcsp(deps, o, 'ocsp-stapled', at);
      if (s.status !== 'unknown') return s;
    }
  }
  const row = await storedOcsp(deps, c.fingerprint);
  if (row && (row.status === 'good' || row.status === 'revoked') && row.thisUpdate && row.producedAt) {
    const s = statusFromOcsp(
      deps,
      {
        status: row.status,
        producedAt: row.producedAt,
        thisUpdate: row.thisUpdate,
        ...(row.revokedAt ? { revokedAt: row.revokedAt } : {}),
        ...(row.nextUpdate ? { nextUpdate: row.nextUpdate } : {}),
      },
      'ocsp',
      at,
    );
    if (s.status !== 'unknown') return s;
  }
  const crl = await storedCrl(deps, issuerCert.fingerprint);
  if (crl) return { ...statusFromCrl(crl, c.serial, at), issuerSubject: issuerCert.subject } as Status;
  return { status: 'unknown' };
}

const where = (i: number, c: PathCert) => `${i === 0 ? 'the signer certificate' : `x5c chain certificate ${i}`} (${c.subject}, serial 0x${c.serial})`;

function describeSource(s: Exclude<Status, { status: 'unknown' }>): string {
  if (s.source === 'crl')
    return `CRL${s.crlNumber ? ` number ${s.crlNumber}` : ''} of ${s.issuerSubject ?? 'its CA'} (thisUpdate ${s.thisUpdate.toISOString()})`;
  return `${s.source === 'ocsp-stapled' ? 'the stapled OCSP response' : 'the OCSP response'} produced at ${s.producedAt?.toISOString()}`;
}

export interface RevocationOutcome {
  evidence: RevocationEvidence;
  /** Statements for the delivery's batch: the soft-fail re-check, if any. */
  items: (deliveryId: string) => Stmt[];
}

/**
 * Check every certificate of the path below the anchor at the signing time. Throws 403 certificate-revoked
 * (revoked at or before signing) or, under hard-fail, 403 revocation-unknown.
 */
export async function checkRevocation(
  deps: Deps,
  sender: { code: string; revocationPolicy: RevocationPolicy },
  chain: VerifiedChain,
  stapled: Uint8Array[],
  signedAt: Date,
  arrivedAt: Date,
): Promise<RevocationOutcome> {
  const path = chain.path;
  const learn = learnStmts(deps, sender.code, path, arrivedAt);
  if (learn.length) await deps.db.batch(learn);
  const checks: RevocationCheck[] = [];
  const unknown: { fingerprint: string; subject: string; serial: string; issuerFingerprint: string }[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const c = path[i]!;
    const s = await statusOf(deps, path, i, stapled, arrivedAt);
    const base = { certificate: c.subject, certificateSha256: c.fingerprint, serialNumber: c.serial };
    if (s.status === 'unknown') {
      checks.push({ ...base, status: 'unknown' });
      unknown.push({ fingerprint: c.fingerprint, subject: c.subject, serial: c.serial, issuerFingerprint: path[i + 1]!.fingerprint });
      continue;
    }
    const evidence = {
      source: s.source,
      thisUpdate: s.thisUpdate.toISOString(),
      ...(s.source === 'crl' ? { crlNumber: s.crlNumber ?? null } : { producedAt: s.producedAt!.toISOString() }),
    };
    if (s.status === 'revoked') {
      if (s.revokedAt.getTime() <= signedAt.getTime()) {
        throw new Problem(
          'certificate-revoked',
          `${where(i, c)} was revoked at ${s.revokedAt.toISOString()}, before the signing time ${signedAt.toISOString()} (${describeSource(s)})`,
          {
            certificate: c.subject,
            serialNumber: c.serial,
            revokedAt: s.revokedAt.toISOString(),
            revocationSource: evidence,
          },
        );
      }
      checks.push({ ...base, status: 'revoked-after-signing', revokedAt: s.revokedAt.toISOString(), ...evidence });
    } else checks.push({ ...base, status: 'good', ...evidence });
  }
  if (unknown.length && sender.revocationPolicy === 'hard') {
    const first = path.findIndex((p) => p.fingerprint === unknown[0]!.fingerprint);
    const c = path[first]!;
    const whereFrom = [...c.ocspUrls.map((u) => `OCSP ${u}`), ...c.crlUrls.map((u) => `CRL ${u}`)];
    throw new Problem(
      'revocation-unknown',
      `no fresh revocation status for ${where(first, c)}: staple a current OCSP response in the envelope, or retry once the gateway has fetched ${whereFrom.length ? whereFrom.join(', ') : 'a CRL (none is named in the certificate: the administrator can upload one)'}; sender ${sender.code} is on hard-fail`,
      { certificate: c.subject, serialNumber: c.serial },
    );
  }
  const evidence: RevocationEvidence = {
    policy: sender.revocationPolicy,
    status: unknown.length ? 'unknown' : 'good',
    signedAt: signedAt.toISOString(),
    checks,
  };
  return {
    evidence,
    items: (deliveryId) =>
      unknown.length
        ? [
            insertRows(revocationRechecks, [
              {
                deliveryId,
                senderCode: sender.code,
                certsJson: JSON.stringify(unknown),
                signedAt,
                until: new Date(arrivedAt.getTime() + trustConfig(deps).recheckDays * 86_400_000),
                status: 'pending',
              },
            ]),
          ]
        : [],
  };
}

// ------------------------------------------------------------------ the sweep

const backoff = (failures: number) => Math.min(6 * 3600_000, 60_000 * 2 ** Math.min(failures, 8));

async function refreshCrls(deps: Deps, now: Date) {
  const cfg = trustConfig(deps);
  const due = await deps.db.orm
    .select()
    .from(revocationCrlSources)
    .where(lte(revocationCrlSources.nextFetchAt, now))
    .orderBy(asc(revocationCrlSources.nextFetchAt))
    .limit(50);
  let fetched = 0;
  let failed = 0;
  for (const src of due) {
    try {
      const der = crlDer(await trustFetch(deps, src.url, { accept: 'application/pkix-crl, application/x-pkcs7-crl, */*' }));
      const issuerDer = fromBase64(src.issuerDer);
      const info = await verifyCrl(der, issuerDer);
      const issuer = await parseCertificate(issuerDer);
      const stmt = await crlStmt(deps, der, info, issuer.subject, src.url, src.senderCode, now);
      const next = Math.min(now.getTime() + cfg.crlRefreshSeconds * 1000, Math.max(now.getTime() + 60_000, info.nextUpdate?.getTime() ?? Infinity));
      await deps.db.batch([
        ...(stmt ? [stmt.stmt] : []),
        deps.db.orm
          .update(revocationCrlSources)
          .set({ lastFetchedAt: now, lastError: null, failures: 0, nextFetchAt: new Date(next) })
          .where(eq(revocationCrlSources.url, src.url)),
      ]);
      fetched++;
    } catch (e) {
      failed++;
      const failures = src.failures + 1;
      await deps.db.batch([
        deps.db.orm
          .update(revocationCrlSources)
          .set({ lastError: String((e as Error).message).slice(0, 500), failures, nextFetchAt: new Date(now.getTime() + backoff(failures)) })
          .where(eq(revocationCrlSources.url, src.url)),
      ]);
      deps.log.log('warn', 'CRL fetch failed', { url: src.url, error: String((e as Error).message) });
    }
  }
  return { crlsFetched: fetched, crlsFailed: failed };
}

/** An OCSP request for one certificate (CertID with SHA-1, as responders expect; RFC 6960 §4.1). */
export async function ocspRequestDer(cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<Uint8Array> {
  const req = new pkijs.OCSPRequest();
  await req.createForCertificate(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer });
  return new Uint8Array(req.toSchema(true).toBER(false));
}

async function refreshOcsp(deps: Deps, now: Date) {
  const cfg = trustConfig(deps);
  const due = await deps.db.orm.select().from(revocationOcsp).where(lte(revocationOcsp.nextFetchAt, now)).orderBy(asc(revocationOcsp.nextFetchAt)).limit(100);
  let fetched = 0;
  let failed = 0;
  for (const row of due) {
    try {
      const cert = pkijs.Certificate.fromBER(fromBase64(row.certDer) as Uint8Array<ArrayBuffer>);
      const issuer = pkijs.Certificate.fromBER(fromBase64(row.issuerDer) as Uint8Array<ArrayBuffer>);
      const der = await trustFetch(deps, row.responderUrl, {
        method: 'POST',
        body: await ocspRequestDer(cert, issuer),
        contentType: 'application/ocsp-request',
        accept: 'application/ocsp-response',
      });
      const o = await ocspStatusFor(der, cert, issuer);
      if (!o) throw new Error('the response is not about this certificate');
      if (!fresh(deps, o, now)) throw new Error(`the response is not fresh (thisUpdate ${o.thisUpdate.toISOString()})`);
      // Ask again halfway through the freshness window, or before nextUpdate.
      const next = Math.min(now.getTime() + (cfg.ocspFreshnessSeconds * 1000) / 2, o.nextUpdate?.getTime() ?? Infinity);
      await deps.db.batch([
        deps.db.orm
          .update(revocationOcsp)
          .set({
            status: o.status,
            revokedAt: o.revokedAt ?? null,
            producedAt: o.producedAt,
            thisUpdate: o.thisUpdate,
            nextUpdate: o.nextUpdate ?? null,
            responseDer: toBase64(der),
            lastError: null,
            failures: 0,
            nextFetchAt: new Date(Math.max(next, now.getTime() + 30_000)),
          })
          .where(eq(revocationOcsp.certFingerprint, row.certFingerprint)),
      ]);
      fetched++;
    } catch (e) {
      failed++;
      const failures = row.failures + 1;
      await deps.db.batch([
        deps.db.orm
          .update(revocationOcsp)
          .set({ lastError: String((e as Error).message).slice(0, 500), failures, nextFetchAt: new Date(now.getTime() + backoff(failures)) })
          .where(eq(revocationOcsp.certFingerprint, row.certFingerprint)),
      ]);
      deps.log.log('warn', 'OCSP fetch failed', { url: row.responderUrl, error: String((e as Error).message) });
    }
  }
  invalidateLookups(deps);
  return { ocspFetched: fetched, ocspFailed: failed };
}

/** Soft-fail deliveries: settle each once its certificates have a status; alert if one was revoked before signing. */
async function recheck(deps: Deps, now: Date) {
  const rows = await deps.db.orm
    .select()
    .from(revocationRechecks)
    .where(eq(revocationRechecks.status, 'pending'))
    .orderBy(asc(revocationRechecks.signedAt))
    .limit(500);
  const counts = { recheckedGood: 0, revokedAfterSigning: 0, alerts: 0, expired: 0 };
  for (const r of rows) {
    const certs = JSON.parse(r.certsJson) as { fingerprint: string; subject: string; serial: string; issuerFingerprint: string }[];
    let pending = false;
    let after: string | undefined;
    let before: { subject: string; serial: string; revokedAt: Date; source: string } | undefined;
    for (const c of certs) {
      // The latest status the gateway holds (not at the signing time: a revocation found later is the point).
      let s: Status = { status: 'unknown' };
      const o = await deps.db.orm.select().from(revocationOcsp).where(eq(revocationOcsp.certFingerprint, c.fingerprint));
      const oc = o[0];
      if (oc && (oc.status === 'good' || oc.status === 'revoked') && oc.thisUpdate && oc.producedAt) {
        s =
          oc.status === 'revoked'
            ? { status: 'revoked', revokedAt: oc.revokedAt ?? oc.thisUpdate, source: 'ocsp', thisUpdate: oc.thisUpdate, producedAt: oc.producedAt }
            : { status: 'good', source: 'ocsp', thisUpdate: oc.thisUpdate, producedAt: oc.producedAt };
      } else {
        const crl = await storedCrl(deps, c.issuerFingerprint);
        if (crl && crl.thisUpdate.getTime() >= r.signedAt.getTime()) s = statusFromCrl(crl, c.serial, crl.thisUpdate);
      }
      if (s.status === 'unknown') pending = true;
      else if (s.status === 'revoked') {
        if (s.revokedAt.getTime() <= r.signedAt.getTime()) before = { subject: c.subject, serial: c.serial, revokedAt: s.revokedAt, source: describeSource(s) };
        else after = `${c.subject} revoked at ${s.revokedAt.toISOString()}, after signing (${describeSource(s)})`;
      }
    }
    if (before) {
      const outcome = `${before.subject} (serial 0x${before.serial}) was revoked at ${before.revokedAt.toISOString()}, before the signing time ${r.signedAt.toISOString()} (${before.source}); the delivery was accepted under soft-fail`;
      await deps.writer.audited(
        [
          {
            actor: 'system:revocation',
            action: 'revocation.alert',
            subject: `delivery:${r.deliveryId}`,
            data: { deliveryId: r.deliveryId, sender: r.senderCode, outcome },
          },
        ],
        async () => ({
          items: [
            deps.db.orm.update(revocationRechecks).set({ status: 'revoked', outcome, checkedAt: now }).where(eq(revocationRechecks.deliveryId, r.deliveryId)),
          ],
          result: null,
        }),
        now,
      );
      deps.log.log('error', 'revocation alert: a delivery accepted under soft-fail was signed with a revoked certificate', {
        deliveryId: r.deliveryId,
        sender: r.senderCode,
        outcome,
      });
      counts.alerts++;
    } else if (!pending) {
      // A settled re-check is a fact (its outcome is covered by the audit log): it changes through a record of its own.
      const status = after ? 'revoked-after-signing' : 'good';
      await deps.writer.audited(
        [
          {
            actor: 'system:revocation',
            action: 'revocation.rechecked',
            subject: `delivery:${r.deliveryId}`,
            data: { deliveryId: r.deliveryId, sender: r.senderCode, status, outcome: after ?? null },
          },
        ],
        async () => ({
          items: [
            deps.db.orm
              .update(revocationRechecks)
              .set({ status, outcome: after ?? null, checkedAt: now })
              .where(eq(revocationRechecks.deliveryId, r.deliveryId)),
          ],
          result: null,
        }),
        now,
      );
      if (after) counts.revokedAfterSigning++;
      else counts.recheckedGood++;
    } else if (r.until.getTime() <= now.getTime()) {
      const outcome = 'no revocation status became available';
      await deps.writer.audited(
        [
          {
            actor: 'system:revocation',
            action: 'revocation.rechecked',
            subject: `delivery:${r.deliveryId}`,
            data: { deliveryId: r.deliveryId, sender: r.senderCode, status: 'expired', outcome },
          },
        ],
        async () => ({
          items: [
            deps.db.orm.update(revocationRechecks).set({ status: 'expired', outcome, checkedAt: now }).where(eq(revocationRechecks.deliveryId, r.deliveryId)),
          ],
          result: null,
        }),
        now,
      );
      counts.expired++;
    } else {
      // Only when it last looked (checked_at is not committed to: see COVERED in src/services/audit-rows.ts).
      await deps.db.batch([deps.db.orm.update(revocationRechecks).set({ checkedAt: now }).where(eq(revocationRechecks.deliveryId, r.deliveryId))]);
    }
  }
  return counts;
}

/** The sweep step: fetch due CRLs and OCSP responses, then settle soft-fail deliveries. */
export async function revocationSweep(deps: Deps, now: Date): Promise<Record<string, number>> {
  const crl = await refreshCrls(deps, now);
  const ocsp = await refreshOcsp(deps, now);
  invalidateLookups(deps);
  return { ...crl, ...ocsp, ...(await recheck(deps, now)) };
}

// ------------------------------------------------------------------ administration

export async function setSenderTrust(deps: Deps, code: string, input: { revocationPolicy?: RevocationPolicy; sm2?: boolean }, actor: string) {
  const [s] = await deps.db.orm.select().from(senders).where(eq(senders.code, code));
  if (!s) throw new Problem('not-found', `no sender ${code}`);
  const set = { ...(input.revocationPolicy ? { revocationPolicy: input.revocationPolicy } : {}), ...(input.sm2 !== undefined ? { sm2: input.sm2 } : {}) };
  const result = { code, revocationPolicy: input.revocationPolicy ?? s.revocationPolicy, sm2: input.sm2 ?? s.sm2 };
  if (Object.keys(set).length === 0) return result;
  return deps.writer
    .audited([{ actor, action: 'sender.trust_set', subject: `sender:${code}`, data: set }], async () => ({
      items: [deps.db.orm.update(senders).set(set).where(eq(senders.code, code))],
      result,
    }))
    .finally(() => invalidateLookups(deps));
}

/** What the gateway holds: CRLs, sources, OCSP statuses and soft-fail re-checks (CLI `revocation status`, admin API). */
export async function revocationStatus(deps: Deps) {
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  const crls = await deps.db.orm.select().from(revocationCrls).orderBy(asc(revocationCrls.issuerSubject));
  const sources = await deps.db.orm.select().from(revocationCrlSources).orderBy(asc(revocationCrlSources.url));
  const ocsp = await deps.db.orm.select().from(revocationOcsp).orderBy(asc(revocationOcsp.certSubject));
  const rechecks = await deps.db.orm
    .select()
    .from(revocationRechecks)
    .where(and(eq(revocationRechecks.status, 'revoked')))
    .orderBy(asc(revocationRechecks.signedAt));
  const pending = await deps.db.orm.select({ id: revocationRechecks.deliveryId }).from(revocationRechecks).where(eq(revocationRechecks.status, 'pending'));
  return {
    crls: crls.map((c) => ({
      issuer: c.issuerSubject,
      crlNumber: c.crlNumber,
      thisUpdate: iso(c.thisUpdate),
      nextUpdate: iso(c.nextUpdate),
      source: c.source,
      sender: c.senderCode,
      revoked: crlInfo(readCrl(fromBase64(c.der)), c.issuerFingerprint).revoked.size,
    })),
    crlSources: sources.map((s) => ({
      url: s.url,
      sender: s.senderCode,
      lastFetchedAt: iso(s.lastFetchedAt),
      nextFetchAt: iso(s.nextFetchAt),
      lastError: s.lastError,
    })),
    ocsp: ocsp.map((o) => ({
      certificate: o.certSubject,
      sender: o.senderCode,
      responder: o.responderUrl,
      status: o.status,
      producedAt: iso(o.producedAt),
      revokedAt: iso(o.revokedAt),
      nextFetchAt: iso(o.nextFetchAt),
      lastError: o.lastError,
    })),
    pendingRechecks: pending.length,
    alerts: rechecks.map((r) => ({ deliveryId: r.deliveryId, sender: r.senderCode, outcome: r.outcome, checkedAt: iso(r.checkedAt) })),
  };
}
