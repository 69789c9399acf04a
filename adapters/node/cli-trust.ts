/**
 * The CLI's trust commands (issue 22), kept in their own module and added to cli.ts's commander program:
 *
 *   sender crl --code CODE --file CRL.pem|.der        upload a CRL issued by one of the sender's CAs
 *   sender trust --code CODE [--policy hard|soft] [--sm2 true|false]
 *   revocation status                                 CRLs, distribution points, OCSP cache, alerts
 *   revocation refresh                                fetch due CRLs and OCSP responses now (the sweep's step)
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { Deps } from '../../src/deps.js';
import { revocationStatus, revocationSweep, setSenderTrust, uploadCrl } from '../../src/services/revocation.js';

type Act = <A extends unknown[]>(f: (c: { deps: Deps }, ...a: A) => Promise<number | void>) => (...a: A) => Promise<void>;

export function addTrustCommands(sender: Command, group: (name: string, description: string) => Command, act: Act, out: (s: string) => void): void {
  sender
    .command('crl')
    .description("upload a CRL (PEM or DER) issued by one of the sender's CA certificates")
    .requiredOption('--code <code>', 'sender code')
    .requiredOption('--file <crl>', 'the CRL, PEM ("X509 CRL") or DER')
    .action(
      act(async ({ deps }, o: { code: string; file: string }) => {
        out(JSON.stringify(await uploadCrl(deps, o.code, new Uint8Array(readFileSync(o.file)), 'cli'), null, 2));
      }),
    );
  sender
    .command('trust')
    .description("a sender's revocation policy (hard- or soft-fail) and whether it signs with 国密 SM2")
    .requiredOption('--code <code>', 'sender code')
    .addOption(new Option('--policy <policy>', 'without a fresh revocation status: refuse (hard) or accept and re-check (soft)').choices(['hard', 'soft']))
    .addOption(new Option('--sm2 <bool>', 'registered for SM2 (JWS SM2SM3, XML SM2-SM3)').choices(['true', 'false']))
    .action(
      act(async ({ deps }, o: { code: string; policy?: 'hard' | 'soft'; sm2?: 'true' | 'false' }) => {
        const input = { ...(o.policy ? { revocationPolicy: o.policy } : {}), ...(o.sm2 ? { sm2: o.sm2 === 'true' } : {}) };
        out(JSON.stringify(await setSenderTrust(deps, o.code, input, 'cli')));
      }),
    );
  const revocation = group('revocation', 'certificate revocation: CRLs, OCSP and soft-fail alerts');
  revocation
    .command('status')
    .description('CRLs, distribution points, OCSP statuses held, and alerts')
    .action(
      act(async ({ deps }) => {
        out(JSON.stringify(await revocationStatus(deps), null, 2));
      }),
    );
  revocation
    .command('refresh')
    .description('fetch the CRLs and OCSP responses that are due now (what the sweep does)')
    .action(
      act(async ({ deps }) => {
        out(JSON.stringify(await revocationSweep(deps, deps.clock.now())));
      }),
    );
}
