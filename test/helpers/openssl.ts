/**
 * A test PKI made at test time by OpenSSL (the independent implementation): RSA or SM2 (国密) CAs and leaves
 * through `openssl ca` (so validity dates are set exactly), CRLs through `openssl ca -gencrl` from an index
 * the test writes (revocation dates chosen by the test), an OCSP responder (`openssl ocsp` answering each
 * request behind a loopback HTTP server on port 0), a CRL server, and an RFC 3161 TSA (`openssl ts -reply`
 * behind a loopback HTTP server). Every server is started by the test and stopped by it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPKCS8 } from 'jose';
import type { Signer } from '../../adapters/node/court-kit.js';

export const DISTID = '1234567812345678';

export function openssl(args: string[], opts: { cwd?: string; input?: Uint8Array | string } = {}): Buffer {
  return execFileSync('openssl', args, { cwd: opts.cwd, input: opts.input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** 2026-11-23T02:00:00.000Z → 20261123020000Z (openssl's time format). */
const osslTime = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

export type KeyKind = 'rsa' | 'sm2';

export interface OsslCert {
  cn: string;
  serial: string; // hex, as openssl writes it
  certPem: string;
  certPath: string;
  keyPath: string;
  der: Uint8Array;
  b64: string;
  notAfter: Date;
  revokedAt?: Date;
}

export interface OsslCa extends OsslCert {
  dir: string;
  kind: KeyKind;
  issued: OsslCert[];
  /** Write the index (openssl's certificate database) from `issued`, with the test's revocation dates. */
  writeIndex(): void;
  issue(cn: string, opts?: { notBefore?: Date; notAfter?: Date; crlUrl?: string; ocspUrl?: string; ext?: string }): OsslCert;
  /** A CRL (DER) with the revocations of `issued`, lastUpdate/nextUpdate as given. */
  crl(thisUpdate: Date, nextUpdate: Date, crlNumber?: number): Uint8Array;
  crlPem(thisUpdate: Date, nextUpdate: Date, crlNumber?: number): string;
  /** `openssl ocsp` as a responder for one DER request (the CA signs; thisUpdate = now, nextUpdate = now + 60 min). */
  ocspRespond(request: Uint8Array): Uint8Array;
  /** An OCSP response for one certificate, made by OpenSSL: the court staples this. */
  ocspFor(cert: OsslCert): Uint8Array;
  close(): void;
}

function genKey(kind: KeyKind, path: string) {
  if (kind === 'rsa') openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path]);
  else openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', path]);
}

export function makeOpensslCa(cn: string, opts: { kind?: KeyKind; notBefore: Date; notAfter: Date }): OsslCa {
  const kind = opts.kind ?? 'rsa';
  const dir = mkdtempSync(join(tmpdir(), 'fuyuan-ossl-'));
  const md = kind === 'sm2' ? 'sm3' : 'sha256';
  const sigopt = kind === 'sm2' ? ['-sigopt', `distid:${DISTID}`] : [];
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ca]\ndefault_ca = dflt\n[dflt]\ndir = ${dir}\ndatabase = $dir/index.txt\nserial = $dir/serial\ncrlnumber = $dir/crlnumber\nnew_certs_dir = $dir\n` +
      `certificate = $dir/ca.pem\nprivate_key = $dir/ca.key\ndefault_md = ${md}\npolicy = anything\nunique_subject = no\ncopy_extensions = none\ndefault_crl_days = 1\nutf8 = yes\nstring_mask = utf8only\n` +
      `[anything]\ncommonName = supplied\n[req]\ndistinguished_name = dn\nprompt = no\nutf8 = yes\nstring_mask = utf8only\n[dn]\nCN = x\n` +
      `[v3_ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n` +
      `[crl_ext]\nauthorityKeyIdentifier = keyid\n`,
  );
  genKey(kind, join(dir, 'ca.key'));
  openssl(['req', '-new', '-key', join(dir, 'ca.key'), '-subj', `/CN=${cn}`, '-utf8', '-config', join(dir, 'ca.cnf'), '-out', join(dir, 'ca.csr'), ...sigopt]);
  openssl([
    'ca',
    '-batch',
    '-selfsign',
    '-config',
    join(dir, 'ca.cnf'),
    '-keyfile',
    join(dir, 'ca.key'),
    '-in',
    join(dir, 'ca.csr'),
    '-out',
    join(dir, 'ca.pem'),
    '-extensions',
    'v3_ca',
    '-startdate',
    osslTime(opts.notBefore),
    '-enddate',
    osslTime(opts.notAfter),
    '-notext',
    '-utf8',
    ...sigopt,
    ...(kind === 'sm2' ? ['-vfyopt', `distid:${DISTID}`] : []),
  ]);
  const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const issued: OsslCert[] = [];
  const der = (pem: string) => new Uint8Array(Buffer.from(pemBody(pem), 'base64'));
  let serial = 0x2000;
  const ca: OsslCa = {
    cn,
    dir,
    kind,
    serial: '1000',
    certPem: caPem,
    certPath: join(dir, 'ca.pem'),
    keyPath: join(dir, 'ca.key'),
    der: der(caPem),
    b64: pemBody(caPem),
    notAfter: opts.notAfter,
    issued,
    writeIndex() {
      // V|R <tab> expiry <tab> revocation date <tab> serial <tab> unknown <tab> subject
      const lines = issued.map((c) =>
        [
          c.revokedAt ? 'R' : 'V',
          osslTime(c.notAfter).slice(2),
          c.revokedAt ? `${osslTime(c.revokedAt).slice(2)},keyCompromise` : '',
          c.serial,
          'unknown',
          `/CN=${c.cn}`,
        ].join('\t'),
      );
      writeFileSync(join(dir, 'index.txt'), lines.length ? `${lines.join('\n')}\n` : '');
      writeFileSync(join(dir, 'index.txt.attr'), 'unique_subject = no\n');
    },
    issue(leafCn, o = {}) {
      const s = (serial++).toString(16).toUpperCase();
      const keyPath = join(dir, `${s}.key`);
      genKey(kind, keyPath);
      const ext = [
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature,nonRepudiation',
        ...(o.crlUrl ? [`crlDistributionPoints = URI:${o.crlUrl}`] : []),
        ...(o.ocspUrl ? [`authorityInfoAccess = OCSP;URI:${o.ocspUrl}`] : []),
        ...(o.ext ? [o.ext] : []),
      ].join('\n');
      writeFileSync(join(dir, `${s}.ext`), `[leaf]\n${ext}\n`);
      openssl(['req', '-new', '-key', keyPath, '-subj', `/CN=${leafCn}`, '-utf8', '-config', join(dir, 'ca.cnf'), '-out', join(dir, `${s}.csr`), ...sigopt]);
      writeFileSync(join(dir, 'serial'), `${s}\n`);
      ca.writeIndex();
      const notBefore = o.notBefore ?? opts.notBefore;
      const notAfter = o.notAfter ?? new Date(opts.notAfter.getTime() - 86_400_000);
      openssl([
        'ca',
        '-batch',
        '-config',
        join(dir, 'ca.cnf'),
        '-in',
        join(dir, `${s}.csr`),
        '-out',
        join(dir, `${s}.pem`),
        '-extfile',
        join(dir, `${s}.ext`),
        '-extensions',
        'leaf',
        '-startdate',
        osslTime(notBefore),
        '-enddate',
        osslTime(notAfter),
        '-notext',
        '-utf8',
        ...sigopt,
        ...(kind === 'sm2' ? ['-vfyopt', `distid:${DISTID}`] : []),
      ]);
      const pem = readFileSync(join(dir, `${s}.pem`), 'utf8');
      const cert: OsslCert = { cn: leafCn, serial: s, certPem: pem, certPath: join(dir, `${s}.pem`), keyPath, der: der(pem), b64: pemBody(pem), notAfter };
      issued.push(cert);
      ca.writeIndex();
      return cert;
    },
    crlPem(thisUpdate, nextUpdate, crlNumber) {
      ca.writeIndex();
      if (crlNumber !== undefined) writeFileSync(join(dir, 'crlnumber'), `${crlNumber.toString(16).padStart(2, '0')}\n`);
      const out = join(dir, `crl-${Date.now()}-${Math.random().toString(36).slice(2)}.pem`);
      openssl([
        'ca',
        '-gencrl',
        '-config',
        join(dir, 'ca.cnf'),
        '-crlexts',
        'crl_ext',
        '-crl_lastupdate',
        osslTime(thisUpdate),
        '-crl_nextupdate',
        osslTime(nextUpdate),
        '-out',
        out,
        ...sigopt,
      ]);
      return readFileSync(out, 'utf8');
    },
    crl(thisUpdate, nextUpdate, crlNumber) {
      const pem = ca.crlPem(thisUpdate, nextUpdate, crlNumber);
      return new Uint8Array(openssl(['crl', '-outform', 'DER'], { input: pem }));
    },
    ocspRespond(request) {
      ca.writeIndex();
      const tag = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      writeFileSync(join(dir, `req-${tag}.der`), request);
      openssl([
        'ocsp',
        '-index',
        join(dir, 'index.txt'),
        '-CA',
        join(dir, 'ca.pem'),
        '-rsigner',
        join(dir, 'ca.pem'),
        '-rkey',
        join(dir, 'ca.key'),
        '-reqin',
        join(dir, `req-${tag}.der`),
        '-respout',
        join(dir, `resp-${tag}.der`),
        '-nmin',
        '60',
      ]);
      return new Uint8Array(readFileSync(join(dir, `resp-${tag}.der`)));
    },
    ocspFor(cert) {
      const tag = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      openssl(['ocsp', '-issuer', join(dir, 'ca.pem'), '-cert', cert.certPath, '-no_nonce', '-reqout', join(dir, `sreq-${tag}.der`)]);
      return ca.ocspRespond(new Uint8Array(readFileSync(join(dir, `sreq-${tag}.der`))));
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return ca;
}

/** An RSA leaf of an OpenSSL CA as a JWS signer (RS256), chain = [leaf]. */
export async function opensslRsaSigner(leaf: OsslCert): Promise<Signer> {
  return { alg: 'RS256', privateKey: await importPKCS8(readFileSync(leaf.keyPath, 'utf8'), 'RS256'), x5c: [leaf.b64] };
}

/** A compact JWS signed SM2 over SM3 by OpenSSL with the GM/T 0009 default signer ID (alg SM2SM3). */
export function opensslSm2Jws(manifest: unknown, leaf: OsslCert, header: Record<string, unknown> = {}): string {
  const h = Buffer.from(JSON.stringify({ alg: 'SM2SM3', x5c: [leaf.b64], ...header })).toString('base64url');
  const p = Buffer.from(typeof manifest === 'string' ? manifest : JSON.stringify(manifest)).toString('base64url');
  const der = opensslSm2Sign(Buffer.from(`${h}.${p}`), leaf.keyPath);
  return `${h}.${p}.${Buffer.from(derToRaw(der)).toString('base64url')}`;
}

export function opensslSm2Sign(data: Uint8Array, keyPath: string): Uint8Array {
  return new Uint8Array(openssl(['dgst', '-sm3', '-sign', keyPath, '-sigopt', `distid:${DISTID}`], { input: data }));
}

export function opensslSm3(data: Uint8Array): Uint8Array {
  return new Uint8Array(openssl(['dgst', '-sm3', '-binary'], { input: data }));
}

/** DER ECDSA/SM2 signature → r || s (32 bytes each); a test-side converter independent of src/lib/sm2.ts. */
export function derToRaw(der: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  let i = 2 + (der[1]! & 0x80 ? der[1]! & 0x7f : 0);
  for (const at of [0, 32]) {
    const len = der[i + 1]!;
    const v = der.subarray(i + 2, i + 2 + len).subarray(Math.max(0, len - 32));
    out.set(v, at + 32 - v.length);
    i += 2 + len;
  }
  return out;
}

export function rawToDer(raw: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let v = Array.from(b);
    while (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80)) v = v.slice(1);
    if (v[0]! & 0x80) v = [0, ...v];
    return [0x02, v.length, ...v];
  };
  const body = [...int(raw.subarray(0, 32)), ...int(raw.subarray(32))];
  return new Uint8Array([0x30, body.length, ...body]);
}

/** Verify with OpenSSL: SM2 over SM3 with the default signer ID, the public key taken from a certificate. */
export function opensslSm2Verify(data: Uint8Array, derSig: Uint8Array, pubKeyPem: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'fuyuan-sm2v-'));
  try {
    writeFileSync(join(dir, 'pub.pem'), pubKeyPem);
    writeFileSync(join(dir, 'sig'), derSig);
    openssl(['dgst', '-sm3', '-verify', join(dir, 'pub.pem'), '-sigopt', `distid:${DISTID}`, '-signature', join(dir, 'sig')], { input: data });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface LoopbackServer {
  url: string;
  hits: number;
  down: boolean;
  close(): Promise<void>;
}

/** A loopback HTTP server on port 0: `handle` answers each request's body; `down` makes it answer 503. */
export async function loopbackServer(handle: (body: Uint8Array, path: string) => { type: string; body: Uint8Array }): Promise<LoopbackServer> {
  const state = { hits: 0, down: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.hits++;
      if (state.down) {
        res.writeHead(503).end();
        return;
      }
      try {
        const out = handle(new Uint8Array(Buffer.concat(chunks)), req.url ?? '/');
        res.writeHead(200, { 'content-type': out.type, 'content-length': out.body.length }).end(Buffer.from(out.body));
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String((e as Error).message));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const out: LoopbackServer = {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return state.hits;
    },
    set hits(v: number) {
      state.hits = v;
    },
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return out;
}

/** An RFC 3161 TSA made with `openssl ts`: its own CA and a TSA certificate with the critical timeStamping EKU. */
export interface OsslTsa {
  dir: string;
  caPath: string;
  certPath: string;
  reply(query: Uint8Array): Uint8Array;
  /** `openssl ts -verify -data` of a token (DER TimeStampToken) over `data` (the bytes stamped); OpenSSL's output. */
  verifyToken(token: Uint8Array, data: Uint8Array): { ok: boolean; output: string };
  close(): void;
}

export function makeOpensslTsa(notBefore: Date, notAfter: Date): OsslTsa {
  const ca = makeOpensslCa('测试时间戳CA', { notBefore, notAfter });
  const dir = ca.dir;
  const tsa = ca.issue('测试可信时间戳服务', { ext: 'extendedKeyUsage = critical,timeStamping' });
  writeFileSync(
    join(dir, 'ts.cnf'),
    `[tsa]\ndefault_tsa = tsa1\n[tsa1]\ndir = ${dir}\nserial = $dir/tsaserial\nsigner_cert = ${tsa.certPath}\nsigner_key = ${tsa.keyPath}\ncerts = ${ca.certPath}\n` +
      `signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\nordering = yes\ntsa_name = no\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n`,
  );
  writeFileSync(join(dir, 'tsaserial'), '01\n');
  return {
    dir,
    caPath: ca.certPath,
    certPath: tsa.certPath,
    reply(query) {
      const tag = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      writeFileSync(join(dir, `q-${tag}.tsq`), query);
      openssl(['ts', '-reply', '-config', join(dir, 'ts.cnf'), '-queryfile', join(dir, `q-${tag}.tsq`), '-out', join(dir, `r-${tag}.tsr`)]);
      return new Uint8Array(readFileSync(join(dir, `r-${tag}.tsr`)));
    },
    verifyToken(token, data) {
      const tag = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      writeFileSync(join(dir, `t-${tag}.der`), token);
      writeFileSync(join(dir, `d-${tag}.bin`), data);
      try {
        const out = execFileSync(
          'openssl',
          [
            'ts',
            '-verify',
            '-data',
            join(dir, `d-${tag}.bin`),
            '-in',
            join(dir, `t-${tag}.der`),
            '-token_in',
            '-CAfile',
            ca.certPath,
            '-untrusted',
            tsa.certPath,
          ],
          { stdio: ['pipe', 'pipe', 'pipe'] },
        );
        return { ok: /Verification: OK/.test(out.toString()), output: out.toString() };
      } catch (e) {
        const err = e as { stdout?: Buffer; stderr?: Buffer };
        return { ok: false, output: `${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}` };
      }
    },
    close: () => ca.close(),
  };
}

/**
 * An XML envelope signed SM2-SM3 by OpenSSL: the document is laid out so that the Manifest and SignedInfo are
 * already in exclusive canonical form (the test writes the canonical bytes itself), OpenSSL computes the SM3
 * digest of the Manifest and the SM2 signature of SignedInfo (default signer ID); no xml-crypto involved.
 */
export function opensslSm2XmlEnvelope(manifestXml: string, leaf: OsslCert, opts: { sm2Uri: string; sm3Uri: string }): string {
  const WIRE = 'urn:fuyuan:wire:delivery:v1';
  const DS = 'http://www.w3.org/2000/09/xmldsig#';
  const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';
  const canonicalManifest = manifestXml.replace('<Manifest Id="manifest">', `<Manifest xmlns="${WIRE}" Id="manifest">`);
  const digest = Buffer.from(opensslSm3(Buffer.from(canonicalManifest, 'utf8'))).toString('base64');
  const signedInfoBody =
    `<ds:CanonicalizationMethod Algorithm="${EXC}"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="${opts.sm2Uri}"></ds:SignatureMethod>` +
    `<ds:Reference URI="#manifest"><ds:Transforms><ds:Transform Algorithm="${EXC}"></ds:Transform></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${opts.sm3Uri}"></ds:DigestMethod><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>`;
  const canonicalSignedInfo = `<ds:SignedInfo xmlns:ds="${DS}">${signedInfoBody}</ds:SignedInfo>`;
  const sig = derToRaw(opensslSm2Sign(Buffer.from(canonicalSignedInfo, 'utf8'), leaf.keyPath));
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Delivery xmlns="${WIRE}">${manifestXml}<ds:Signature xmlns:ds="${DS}"><ds:SignedInfo>${signedInfoBody}</ds:SignedInfo>` +
    `<ds:SignatureValue>${Buffer.from(sig).toString('base64')}</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${leaf.b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature></Delivery>\n`
  );
}
