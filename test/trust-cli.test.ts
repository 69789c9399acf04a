/**
 * The CLI's trust commands (adapters/node/cli-trust.ts) on a real database file: a sender's revocation policy
 * and SM2 registration, a CRL uploaded from a file (checked against the sender's CA), the status listing; and
 * the trust configuration read from the environment.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../adapters/node/cli.js';
import { parseNodeConfig, trustFromEnv } from '../adapters/node/config.js';
import { makeOpensslCa, type OsslCa } from './helpers/openssl.js';

let dir: string;
let ca: OsslCa;
let other: OsslCa;
const env = () => ({ DATA_DIR: dir });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fuyuan-trust-cli-'));
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  ca = makeOpensslCa('龙游县人民法院 CA', { notBefore: new Date(now.getTime() - 86_400_000), notAfter: new Date(now.getTime() + 365 * 86_400_000) });
  other = makeOpensslCa('伪造CA', { notBefore: new Date(now.getTime() - 86_400_000), notAfter: new Date(now.getTime() + 365 * 86_400_000) });
  const revoked = ca.issue('已吊销签章');
  revoked.revokedAt = new Date(now.getTime() - 3_600_000);
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'court.crl'), ca.crl(new Date(now.getTime() - 60_000), new Date(now.getTime() + 86_400_000), 4));
  writeFileSync(join(dir, 'other.crl'), other.crlPem(new Date(now.getTime() - 60_000), new Date(now.getTime() + 86_400_000)));
  expect(
    await runCli(
      ['sender', 'add', '--code', 'court-longyou', '--type', 'court', '--name', '浙江省龙游县人民法院', '--ca', join(dir, 'ca.pem')],
      env(),
      () => {},
    ),
  ).toBe(0);
});
afterAll(() => {
  ca.close();
  other.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run cli -- sender trust / sender crl / revocation status', () => {
  it('sets the policy and SM2 registration; refuses a bad value with usage', async () => {
    const out: string[] = [];
    expect(await runCli(['sender', 'trust', '--code', 'court-longyou', '--policy', 'hard', '--sm2', 'true'], env(), (s) => out.push(s))).toBe(0);
    expect(JSON.parse(out[0]!)).toEqual({ code: 'court-longyou', revocationPolicy: 'hard', sm2: true });
    expect(await runCli(['sender', 'trust', '--code', 'court-longyou', '--policy', 'sometimes'], env(), (s) => out.push(s))).toBe(2);
  });

  it('uploads a DER CRL of the sender’s CA; a CRL of another CA is refused (exit 1) and not kept', async () => {
    const out: string[] = [];
    expect(await runCli(['sender', 'crl', '--code', 'court-longyou', '--file', join(dir, 'court.crl')], env(), (s) => out.push(s))).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ crlNumber: '4', revoked: 1, stored: true });
    const bad: string[] = [];
    expect(await runCli(['sender', 'crl', '--code', 'court-longyou', '--file', join(dir, 'other.crl')], env(), (s) => bad.push(s))).toBe(1);
    expect(bad.join('\n')).toContain('error:');
    const status: string[] = [];
    expect(await runCli(['revocation', 'status'], env(), (s) => status.push(s))).toBe(0);
    expect(JSON.parse(status.join('\n')).crls).toMatchObject([
      { issuer: 'CN=龙游县人民法院 CA', crlNumber: '4', revoked: 1, source: 'upload', sender: 'court-longyou' },
    ]);
  });

  it('reads the trust settings from the environment, and names a bad one', () => {
    const cfg = parseNodeConfig({
      TRUST_FETCH_ALLOW_HOSTS: 'crl.court.gov.cn, 127.0.0.1:8080',
      TSA_URL: 'http://tsa.ntsc.ac.cn/tsa',
      OCSP_FRESHNESS_SECONDS: '1800',
    });
    expect(trustFromEnv(cfg)).toMatchObject({
      fetchAllowHosts: ['crl.court.gov.cn', '127.0.0.1:8080'],
      tsaUrl: 'http://tsa.ntsc.ac.cn/tsa',
      ocspFreshnessSeconds: 1800,
      tsaIntervalSeconds: 60,
    });
    expect(() => parseNodeConfig({ TRUST_FETCH_ALLOW_HOSTS: 'http://x/y' })).toThrow(/TRUST_FETCH_ALLOW_HOSTS/);
  });
});
