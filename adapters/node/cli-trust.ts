/**
 * The CLI's trust commands (issue 22), kept in their own module and called from cli.ts:
 *
 *   sender crl --code CODE --file CRL.pem|.der        upload a CRL issued by one of the sender's CAs
 *   sender trust --code CODE [--policy hard|soft] [--sm2 true|false]
 *   revocation status                                 CRLs, distribution points, OCSP cache, alerts
 *   revocation refresh                                fetch due CRLs and OCSP responses now (the sweep's step)
 */
import { readFileSync } from 'node:fs';
import type { Deps } from '../../src/deps.js';
import { revocationStatus, revocationSweep, setSenderTrust, uploadCrl } from '../../src/services/revocation.js';

export const TRUST_USAGE = `  sender crl --code CODE --file CRL.pem|CRL.der
  sender trust --code CODE [--policy hard|soft] [--sm2 true|false]
  revocation status | revocation refresh`;

export const TRUST_OPTIONS = { file: { type: 'string' }, policy: { type: 'string' }, sm2: { type: 'string' } } as const;

/** Runs `group cmd` when it is a trust command; undefined when it is not one. */
export async function runTrustCommand(
  deps: Deps,
  group: string,
  cmd: string,
  values: { code?: string; file?: string; policy?: string; sm2?: string },
  out: (s: string) => void,
): Promise<number | undefined> {
  switch (`${group} ${cmd}`) {
    case 'sender crl': {
      if (!values.code || !values.file) {
        out('sender crl needs --code and --file CRL.pem (or .der)');
        return 2;
      }
      const bytes = new Uint8Array(readFileSync(values.file));
      out(JSON.stringify(await uploadCrl(deps, values.code, bytes, 'cli'), null, 2));
      return 0;
    }
    case 'sender trust': {
      const policy = values.policy;
      const sm2 = values.sm2;
      if (!values.code || (policy !== undefined && policy !== 'hard' && policy !== 'soft') || (sm2 !== undefined && sm2 !== 'true' && sm2 !== 'false')) {
        out('sender trust needs --code, and --policy hard|soft and/or --sm2 true|false');
        return 2;
      }
      const input = { ...(policy ? { revocationPolicy: policy as 'hard' | 'soft' } : {}), ...(sm2 ? { sm2: sm2 === 'true' } : {}) };
      out(JSON.stringify(await setSenderTrust(deps, values.code, input, 'cli')));
      return 0;
    }
    case 'revocation status':
      out(JSON.stringify(await revocationStatus(deps), null, 2));
      return 0;
    case 'revocation refresh':
      out(JSON.stringify(await revocationSweep(deps, deps.clock.now())));
      return 0;
    default:
      return undefined;
  }
}
