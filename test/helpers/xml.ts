/** Test helpers for the XML envelope: signers from the test PKI, requests, and the independent signer xmlsec1. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XmlSigner } from '../../adapters/envelope/xml/sign.js';
import type { CourtPki, EcPki } from './pki.js';
import { fromBase64, toBase64 } from '../../src/lib/encoding.js';
import type { FileInput } from '../../adapters/node/court-kit.js';

export const xmlSignerOf = (pki: CourtPki): XmlSigner => ({ alg: 'RS256', keyPem: pki.leaf.keyPem, chain: [pki.leaf.der] });

export async function ecXmlSigner(pki: EcPki): Promise<XmlSigner> {
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pki.signer.privateKey));
  return { alg: 'ES256', keyPem: pem('PRIVATE KEY', pkcs8), chain: pki.signer.x5c.map((b) => fromBase64(b)) };
}

export const pem = (label: string, der: Uint8Array) => `-----BEGIN ${label}-----\n${toBase64(der).replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;

export function xmlRequest(url: string, body: string | Uint8Array, contentType = 'application/xml'): Request {
  return new Request(url, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : (body as Uint8Array<ArrayBuffer>) });
}

/** multipart/form-data: part `envelope` = the XML envelope (a file part, so its bytes arrive as sent), then the attachments. */
export function xmlMultipartRequest(url: string, envelope: Uint8Array, files: FileInput[], opts: { asField?: boolean; type?: string } = {}): Request {
  const form = new FormData();
  if (opts.asField) form.append('envelope', new TextDecoder().decode(envelope));
  else form.append('envelope', new Blob([envelope as Uint8Array<ArrayBuffer>], { type: opts.type ?? 'application/xml' }), 'envelope.xml');
  for (const f of files) form.append(f.id, new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.mediaType }), f.filename);
  return new Request(url, { method: 'POST', body: form });
}

/** The xmlsec1 binary: missing means the test fails, saying where it comes from. */
export function requireXmlsec1(): string {
  const r = spawnSync('xmlsec1', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error('xmlsec1 (the independent XMLDSig implementation) is not installed: .ci/run installs it (apt-get install -y xmlsec1); locally: sudo apt-get install xmlsec1');
  }
  return r.stdout.trim();
}

function xmlsec1(args: string[], files: Record<string, string | Uint8Array>): { status: number; stdout: string; stderr: string; out?: Uint8Array } {
  requireXmlsec1();
  const dir = mkdtempSync(join(tmpdir(), 'fuyuan-xmlsec-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const r = spawnSync('xmlsec1', args, { cwd: dir, encoding: 'utf8' });
    let out: Uint8Array | undefined;
    try {
      out = new Uint8Array(readFileSync(join(dir, 'out.xml')));
    } catch {
      out = undefined;
    }
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ...(out ? { out } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ID_ATTR = ['--id-attr:Id', 'urn:fuyuan:wire:delivery:v1:Manifest'];

/** Sign an unsigned template (bytes, in its declared encoding) with xmlsec1; returns the signed bytes. */
export function xmlsecSign(template: Uint8Array, keyPem: string, certPem: string): Uint8Array {
  const r = xmlsec1(['--sign', '--privkey-pem', 'key.pem,cert.pem', ...ID_ATTR, '--output', 'out.xml', 'tmpl.xml'], { 'tmpl.xml': template, 'key.pem': keyPem, 'cert.pem': certPem });
  if (r.status !== 0 || !r.out) throw new Error(`xmlsec1 --sign failed (${r.status}): ${r.stderr}`);
  return r.out;
}

/** Verify a signed envelope with xmlsec1 against a trusted CA at a given time; true when it says OK. */
export function xmlsecVerify(signed: Uint8Array, caPem: string, at: Date): { ok: boolean; stderr: string } {
  const time = at.toISOString().replace('T', ' ').replace(/\..*$/, '');
  const r = xmlsec1(['--verify', '--trusted-pem', 'ca.pem', '--verification-time', time, ...ID_ATTR, 'in.xml'], { 'in.xml': signed, 'ca.pem': caPem });
  return { ok: r.status === 0, stderr: r.stderr };
}
