/**
 * Administration: `npm run cli -- <command>`. Uses the same configuration as `npm start` (DATA_DIR, DATABASE_URL …).
 *
 *   sender add --code CODE --type court|procuratorate --name NAME --ca FILE.pem [--callback URL]
 *   sender list
 *   key rotate            new ES256 signing key; the old one stays in the JWKS
 *   key list              the published JWKS
 *   audit verify          recompute the audit chain; name the first record that does not match (exit 1)
 *   audit checkpoint      sign the current audit head now
 *   directory load FILE   replace the unit directory from a JSON directory file (schemas/directory/demo-quzhou.json)
 *   directory show        the current directory's version and size
 *   queue list [--region 330802]   the justice bureau's open queue
 *   client add --name NAME --role ROLE --scope SCOPE   register an API client (the secret is printed once)
 *   client revoke CLIENT_ID
 *   calendar override DATE --working true|false --name NAME --reason WHY   (open deadlines are recomputed)
 *   calendar remove DATE
 *   calendar publish YEAR     the year's notice is fully entered as overrides: its deadlines stop being provisional
 *   policy set REGION --preset ID     a region's policy profile (overrides through the admin API)
 *   sweep                     run the sweep once now (reminders, overdue items, ledgers, outbox)
 *   sender crl | sender trust | revocation status | revocation refresh   (adapters/node/cli-trust.ts)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseNodeConfig } from './config.js';
import { nodeDeps } from './deps.js';
import { jsonLogger } from './log.js';
import { listSenders, registerSender } from '../../src/services/senders.js';
import { checkpointNow, verifyAuditChain } from '../../src/services/audit.js';
import { Problem } from '../../src/lib/problem.js';
import { directorySnapshot, saveDirectory } from '../../src/services/directory.js';
import { listQueue } from '../../src/services/assignments.js';
import { registerClient, revokeClient, ROLES, type Role } from '../../src/services/clients.js';
import { publishYear, removeCalendarOverride, setCalendarOverride } from '../../src/services/calendar.js';
import { recomputeAfterCalendarChange } from '../../src/services/obligations.js';
import { setRegionPolicy } from '../../src/services/policies.js';
import { sweep } from '../../src/jobs/sweep.js';
import { runTrustCommand, TRUST_OPTIONS, TRUST_USAGE } from './cli-trust.js';

async function runSweep(env: Record<string, string | undefined>, out: (s: string) => void): Promise<number> {
  const { deps, client } = await nodeDeps(parseNodeConfig(env), { log: jsonLogger('warn') });
  try {
    const r = await sweep(deps, deps.clock.now());
    out(JSON.stringify(r, null, 2));
    return Object.values(r.steps).every((s) => s.ok) ? 0 : 1;
  } finally {
    client.close();
  }
}

const USAGE = `usage: npm run cli -- <command>
  sender add --code CODE --type court|procuratorate --name NAME --ca FILE.pem [--callback URL]
  sender list
  key rotate | key list
  audit verify | audit checkpoint
  directory load FILE.json | directory show
  queue list [--region CODE]
  client add --name NAME --role unit|justice_bureau|government_office|court|procuratorate|liaison|admin --scope SCOPE
  client revoke CLIENT_ID
  calendar override DATE --working true|false --name NAME --reason WHY | calendar remove DATE | calendar publish YEAR
  policy set REGION --preset ID
${TRUST_USAGE}
  sweep`;

export async function runCli(argv: string[], env: Record<string, string | undefined> = process.env, out: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { code: { type: 'string' }, type: { type: 'string' }, name: { type: 'string' }, ca: { type: 'string' }, callback: { type: 'string' }, region: { type: 'string' }, role: { type: 'string' }, scope: { type: 'string' }, working: { type: 'string' }, reason: { type: 'string' }, preset: { type: 'string' }, ...TRUST_OPTIONS },
  });
  const [group, cmd, arg] = positionals;
  if (group === 'sweep' && !cmd) return runSweep(env, out);
  if (!group || !cmd) {
    out(USAGE);
    return 2;
  }
  const cfg = parseNodeConfig(env);
  const { deps, client, keys } = await nodeDeps(cfg, { log: jsonLogger('warn') });
  try {
    switch (`${group} ${cmd}`) {
      case 'sender add': {
        if (!values.code || !values.name || !values.ca || (values.type !== 'court' && values.type !== 'procuratorate')) {
          out('sender add needs --code, --type court|procuratorate, --name and --ca FILE.pem');
          return 2;
        }
        const r = await registerSender(deps, {
          code: values.code,
          type: values.type,
          name: values.name,
          caPem: readFileSync(values.ca, 'utf8'),
          ...(values.callback ? { callbackUrl: values.callback } : {}),
        }, 'cli');
        out(`已登记 registered ${r.code}: ${r.added.length} new CA certificate(s) ${r.added.join(', ')}`);
        return 0;
      }
      case 'sender list': {
        for (const s of await listSenders(deps)) {
          out(`${s.code}\t${s.type}\t${s.name}\ttrust v${s.trustVersion}`);
          for (const c of s.cas) out(`  CA ${c.subject}  sha256=${c.fingerprint}  until ${c.notAfter}`);
        }
        return 0;
      }
      case 'key rotate': {
        const kid = await keys.rotate(deps.clock.now());
        out(`new signing key ${kid}; earlier keys stay published in /.well-known/jwks.json (restart the gateway to sign with it)`);
        return 0;
      }
      case 'key list': {
        out(JSON.stringify(await deps.keys.jwks(), null, 2));
        return 0;
      }
      case 'audit verify': {
        const r = await verifyAuditChain(deps);
        if (r.ok) {
          out(`审计链完整 audit chain intact: ${r.records} records, ${r.checkpoints} signed checkpoints, head #${r.head.seq} ${r.head.hash}`);
          return 0;
        }
        out(`审计链被篡改 audit chain broken at record #${r.firstBad!.seq}: ${r.firstBad!.reason} (${r.records} records before it verified)`);
        return 1;
      }
      case 'audit checkpoint': {
        const head = await checkpointNow(deps);
        out(`signed audit head #${head.seq} ${head.hash}`);
        return 0;
      }
      case 'directory load': {
        if (!arg) {
          out('directory load needs a FILE.json');
          return 2;
        }
        const r = await saveDirectory(deps, JSON.parse(readFileSync(arg, 'utf8')), 'cli', `loaded from ${arg}`);
        out(`单位名录已载入 directory loaded: version ${r.version}, sha256 ${r.digest}`);
        return 0;
      }
      case 'directory show': {
        const s = await directorySnapshot(deps);
        const d = s.data as { regions: { code: string; name: string }[]; units: unknown[]; courts: unknown[] };
        out(`version ${s.version} (${s.note}): ${d.regions.map((r) => `${r.code} ${r.name}`).join(', ') || 'no regions'}; ${d.units.length} units, ${d.courts.length} courts`);
        return 0;
      }
      case 'queue list': {
        const items = await listQueue(deps, values.region ? { regionCode: values.region } : {});
        for (const i of items) out(`${i.id}\t${i.regionCode ?? i.candidateRegions.join('/')}\t${i.reason}\t${i.caseNumber ?? '-'}\t${i.title}\t${i.explanation?.zh ?? ''}`);
        out(`${items.length} open item(s)`);
        return 0;
      }
      case 'client add': {
        if (!values.name || !values.role || !values.scope || !(ROLES as readonly string[]).includes(values.role)) {
          out(`client add needs --name, --role (${ROLES.join('|')}) and --scope`);
          return 2;
        }
        const r = await registerClient(deps, { name: values.name, role: values.role as Role, scope: values.scope }, 'cli');
        out(`client_id=${r.clientId}`);
        out(`client_secret=${r.clientSecret} (shown once: only its salted hash is kept)`);
        return 0;
      }
      case 'client revoke': {
        if (!arg) {
          out('client revoke needs a CLIENT_ID');
          return 2;
        }
        await revokeClient(deps, arg, 'cli');
        out(`revoked ${arg}`);
        return 0;
      }
      case 'calendar override': {
        if (!arg || (values.working !== 'true' && values.working !== 'false') || !values.name || !values.reason) {
          out('calendar override needs DATE, --working true|false, --name and --reason');
          return 2;
        }
        const change = await setCalendarOverride(deps, { date: arg, working: values.working === 'true', name: values.name, reason: values.reason }, 'cli');
        const r = await recomputeAfterCalendarChange(deps, change, 'cli');
        out(`${arg} ${values.working === 'true' ? '工作日 working day' : '休息日 rest day'} (${values.name}); open deadlines examined ${r.examined}, changed ${r.changed}`);
        return 0;
      }
      case 'calendar remove': {
        if (!arg) {
          out('calendar remove needs DATE');
          return 2;
        }
        const r = await recomputeAfterCalendarChange(deps, await removeCalendarOverride(deps, arg, 'cli'), 'cli');
        out(`override of ${arg} removed; open deadlines examined ${r.examined}, changed ${r.changed}`);
        return 0;
      }
      case 'calendar publish': {
        const year = Number(arg);
        const r = await recomputeAfterCalendarChange(deps, await publishYear(deps, year, 'cli'), 'cli');
        out(`${year} published; provisional deadlines examined ${r.examined}, changed ${r.changed}`);
        return 0;
      }
      case 'policy set': {
        if (!arg || !values.preset) {
          out('policy set needs REGION and --preset ID');
          return 2;
        }
        await setRegionPolicy(deps, arg, { presetId: values.preset }, 'cli');
        out(`region ${arg} runs ${values.preset}`);
        return 0;
      }
      default: {
        const trust = await runTrustCommand(deps, group, cmd, values, out);
        if (trust !== undefined) return trust;
        out(USAGE);
        return 2;
      }
    }
  } catch (e) {
    if (e instanceof Problem) {
      out(`error: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`fuyuan cli: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
