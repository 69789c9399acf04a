/**
 * Administration: `npm run cli -- <command>`. Uses the same configuration as `npm start` (DATA_DIR, DATABASE_URL …).
 *
 *   sender add --code CODE --type court|procuratorate --name NAME --ca FILE.pem [--callback URL]
 *   sender list
 *   key rotate            new ES256 signing key; the old one stays in the JWKS
 *   key list              the published JWKS
 *   audit verify | checkpoint | prove | check   the audit log (adapters/node/audit-cli.ts)
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
 *   backup DIR                consistent online snapshot of the database (with attachments) and the keys
 *   restore DIR [--force]     put a backup in place for a stopped gateway, then verify its audit chain
 *   sender crl | sender trust | revocation status | revocation refresh   (adapters/node/cli-trust.ts)
 *
 * Built on commander: `--help` on the program and on every command; arguments are validated before the database
 * is opened (dates, years, roles, files), and against it where only it can tell (a client's scope must exist).
 * Exit codes: 0 done, 1 refused or failed (e.g. audit chain broken), 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseNodeConfig } from './config.js';
import { nodeDeps } from './deps.js';
import { jsonLogger } from './log.js';
import { listSenders, registerSender } from '../../src/services/senders.js';
import { runAuditCli } from './audit-cli.js';
import { Problem } from '../../src/lib/problem.js';
import { directorySnapshot, saveDirectory } from '../../src/services/directory.js';
import { listQueue } from '../../src/services/assignments.js';
import { registerClient, revokeClient, ROLES, scopeProblem, type Role } from '../../src/services/clients.js';
import { publishYear, removeCalendarOverride, setCalendarOverride } from '../../src/services/calendar.js';
import { recomputeAfterCalendarChange } from '../../src/services/obligations.js';
import { setRegionPolicy } from '../../src/services/policies.js';
import { PRESET_IDS } from '../../src/domain/policy/presets.js';
import { backup, BackupError, restore } from './backup.js';
import { sweep } from '../../src/jobs/sweep.js';
import { addTrustCommands } from './cli-trust.js';

type Ctx = Awaited<ReturnType<typeof nodeDeps>>;

/** A usage error found after parsing (a file, or a fact only the database knows): exit 2 with this message. */
class UsageError extends Error {}

const isoDate = (v: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v)
    throw new InvalidArgumentError(`"${v}" is not a date: use YYYY-MM-DD, e.g. 2026-10-01`);
  return v;
};
const year = (v: string) => {
  if (!/^\d{4}$/.test(v) || Number(v) < 2000 || Number(v) > 2100) throw new InvalidArgumentError(`"${v}" is not a year between 2000 and 2100`);
  return Number(v);
};
const regionCode = (v: string) => {
  if (!/^\d{6}$/.test(v)) throw new InvalidArgumentError(`"${v}" is not a region code (6 digits, e.g. 330802)`);
  return v;
};
const httpUrl = (v: string) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError(`"${v}" is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new InvalidArgumentError(`"${v}" must be an http(s) URL`);
  return v;
};
const nonEmpty = (what: string) => (v: string) => {
  if (!v.trim()) throw new InvalidArgumentError(`${what} must not be empty`);
  return v;
};

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

function readJson(file: string, what: string): unknown {
  const text = readText(file, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not a JSON ${what}: ${(e as Error).message}`);
  }
}

export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
): Promise<number> {
  // The audit commands run in adapters/node/audit-cli.ts; commander only answers their --help.
  if (argv[0] === 'audit' && argv.length > 1 && !argv.includes('--help') && !argv.includes('-h')) return runAuditCli(argv.slice(1), env, out);
  let ctx: Ctx | undefined;
  let code = 0;
  const open = async (readOnly: boolean) => (ctx ??= await nodeDeps(parseNodeConfig(env), { log: jsonLogger('warn'), readOnly }));
  const act =
    <A extends unknown[]>(f: (c: Ctx, ...a: A) => Promise<number | void>) =>
    async (...a: A) => {
      code = (await f(await open(false), ...a)) ?? 0;
    };
  /** A command that only reads: it creates nothing in DATA_DIR (it works on a full disk). */
  const look =
    <A extends unknown[]>(f: (c: Ctx, ...a: A) => Promise<number | void>) =>
    async (...a: A) => {
      code = (await f(await open(true), ...a)) ?? 0;
    };

  const program = new Command('npm run cli --')
    .description('府院通 Fuyuan administration: the same configuration as npm start (DATA_DIR, DATABASE_URL …)')
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.replace(/\n$/, '')), writeErr: (s) => out(s.replace(/\n$/, '')) });
  // Every command and its subcommands report errors the same way and never exit the process themselves.
  const group = (name: string, description: string) => program.command(name).description(description).exitOverride();

  const sender = group('sender', 'courts and procuratorates that deliver, with their CA certificates');
  sender
    .command('add')
    .description('register a court or procuratorate with its CA certificate(s) (PEM, one or more)')
    .requiredOption('--code <code>', 'sender code, e.g. court-longyou', nonEmpty('--code'))
    .addOption(new Option('--type <type>', 'what it is').choices(['court', 'procuratorate']).makeOptionMandatory())
    .requiredOption('--name <name>', 'its full name, e.g. 浙江省龙游县人民法院', nonEmpty('--name'))
    .requiredOption('--ca <file.pem>', 'its CA certificate(s), PEM')
    .option('--callback <url>', 'where its evidence is pushed (receipts, confirmations, replies)', httpUrl)
    .action(
      act(async ({ deps }, o: { code: string; type: 'court' | 'procuratorate'; name: string; ca: string; callback?: string }) => {
        const caPem = readText(o.ca, 'CA file');
        if (!caPem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`${o.ca} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
        const r = await registerSender(deps, { code: o.code, type: o.type, name: o.name, caPem, ...(o.callback ? { callbackUrl: o.callback } : {}) }, 'cli');
        out(`已登记 registered ${r.code}: ${r.added.length} new CA certificate(s) ${r.added.join(', ')}`);
      }),
    );
  sender
    .command('list')
    .description('list senders and their CA certificates')
    .action(
      look(async ({ deps }) => {
        for (const s of await listSenders(deps)) {
          out(`${s.code}\t${s.type}\t${s.name}\ttrust v${s.trustVersion}`);
          for (const c of s.cas) out(`  CA ${c.subject}  sha256=${c.fingerprint}  until ${c.notAfter}`);
        }
      }),
    );

  addTrustCommands(sender, group, act, out);

  const key = group('key', "the gateway's ES256 signing keys");
  key
    .command('rotate')
    .description('make a new signing key; earlier keys stay published in the JWKS so earlier receipts still verify')
    .action(
      act(async ({ deps, keys }) => {
        const kid = await keys.rotate(deps.clock.now());
        out(`new signing key ${kid}; earlier keys stay published in /.well-known/jwks.json (restart the gateway to sign with it)`);
      }),
    );
  key
    .command('list')
    .description('print the published JWKS')
    .action(look(async ({ deps }) => void out(JSON.stringify(await deps.keys.jwks(), null, 2))));

  // audit verify | checkpoint | prove | check run in adapters/node/audit-cli.ts (dispatched at the top of runCli).
  const audit = group('audit', 'the tamper-evident audit log: content commitments, Merkle tree (RFC 9162), signed heads');
  audit.command('verify').description('re-derive the chain, the tree, every signed head and receipt head and every stored fact; name each mismatch (exit 1)');
  audit.command('checkpoint').description('sign the current audit head now, unless a signed head already covers it');
  audit
    .command('prove')
    .description('an inclusion (--seq S [--size N]) or consistency (--first M [--second N]) proof with its signed head, as JSON')
    .option('--seq <n>', 'the audit record')
    .option('--size <n>', 'the tree size (default: the latest signed head)')
    .option('--first <n>', 'the earlier tree size')
    .option('--second <n>', 'the later tree size (default: the latest signed head)')
    .option('--out <file>', 'write the proof to a file');
  audit
    .command('check')
    .description('verify a proof with no database: RFC 9162 hashes, the tree head signature, the receipt')
    .argument('<proof.json>', 'from audit prove or /v1/audit/proofs/…')
    .option('--jwks <file>', "the gateway's /.well-known/jwks.json")
    .option('--receipt <file>', "a receipt's JWS, or the JSON POST /v1/deliveries answered");

  const directory = group('directory', 'the unit directory (regions, units, courts)');
  directory
    .command('load')
    .description('replace the unit directory from a JSON directory file, e.g. schemas/directory/demo-quzhou.json')
    .argument('<file.json>', 'the directory file')
    .action(async (file: string) => {
      const data = readJson(file, 'directory file'); // before the database is opened
      await act(async ({ deps }) => {
        const r = await saveDirectory(deps, data, 'cli', `loaded from ${file}`);
        out(`单位名录已载入 directory loaded: version ${r.version}, sha256 ${r.digest}`);
      })();
    });
  directory
    .command('show')
    .description("the current directory's version and size")
    .action(
      look(async ({ deps }) => {
        const s = await directorySnapshot(deps);
        const d = s.data as { regions: { code: string; name: string }[]; units: unknown[]; courts: unknown[] };
        out(
          `version ${s.version} (${s.note}): ${d.regions.map((r) => `${r.code} ${r.name}`).join(', ') || 'no regions'}; ${d.units.length} units, ${d.courts.length} courts`,
        );
      }),
    );

  group('queue', "the justice bureau's queue of documents the rules could not assign")
    .command('list')
    .description('the open queue')
    .option('--region <code>', 'only this region (6 digits)', regionCode)
    .action(
      look(async ({ deps }, o: { region?: string }) => {
        const items = await listQueue(deps, o.region ? { regionCode: o.region } : {});
        for (const i of items)
          out(`${i.id}\t${i.regionCode ?? i.candidateRegions.join('/')}\t${i.reason}\t${i.caseNumber ?? '-'}\t${i.title}\t${i.explanation?.zh ?? ''}`);
        out(`${items.length} open item(s)`);
      }),
    );

  const client = group('client', 'API clients (OAuth client credentials)');
  client
    .command('add')
    .description('register an API client; its secret is printed once')
    .requiredOption('--name <name>', 'who it is, e.g. 柯城区司法局', nonEmpty('--name'))
    .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).makeOptionMandatory())
    .requiredOption(
      '--scope <scope>',
      'unit id (unit), region code (justice_bureau, government_office), sender code (court, procuratorate), court code (liaison), * (admin)',
      nonEmpty('--scope'),
    )
    .action(
      act(async ({ deps }, o: { name: string; role: Role; scope: string }) => {
        const problem = await scopeProblem(deps, o.role, o.scope);
        if (problem) throw new UsageError(`--scope ${o.scope}: ${problem}`);
        const r = await registerClient(deps, { name: o.name, role: o.role, scope: o.scope }, 'cli');
        out(`client_id=${r.clientId}`);
        out(`client_secret=${r.clientSecret} (shown once: only its salted hash is kept)`);
      }),
    );
  client
    .command('revoke')
    .description('revoke a client: its tokens stop working at once')
    .argument('<client_id>', 'as printed by client add')
    .action(
      act(async ({ deps }, id: string) => {
        await revokeClient(deps, id, 'cli');
        out(`revoked ${id}`);
      }),
    );

  const calendar = group('calendar', 'the legal calendar: regional holidays, late notices, published years');
  calendar
    .command('override')
    .description('make a date a working or rest day; open deadlines are recomputed')
    .argument('<date>', 'YYYY-MM-DD', isoDate)
    .addOption(new Option('--working <bool>', 'is it a working day').choices(['true', 'false']).makeOptionMandatory())
    .requiredOption('--name <name>', 'e.g. 国庆节', nonEmpty('--name'))
    .requiredOption('--reason <why>', 'e.g. 国务院办公厅通知', nonEmpty('--reason'))
    .action(
      act(async ({ deps }, date: string, o: { working: 'true' | 'false'; name: string; reason: string }) => {
        const change = await setCalendarOverride(deps, { date, working: o.working === 'true', name: o.name, reason: o.reason }, 'cli');
        const r = await recomputeAfterCalendarChange(deps, change, 'cli');
        out(
          `${date} ${o.working === 'true' ? '工作日 working day' : '休息日 rest day'} (${o.name}); open deadlines examined ${r.examined}, changed ${r.changed}`,
        );
      }),
    );
  calendar
    .command('remove')
    .description("remove a date's override; open deadlines are recomputed")
    .argument('<date>', 'YYYY-MM-DD', isoDate)
    .action(
      act(async ({ deps }, date: string) => {
        const r = await recomputeAfterCalendarChange(deps, await removeCalendarOverride(deps, date, 'cli'), 'cli');
        out(`override of ${date} removed; open deadlines examined ${r.examined}, changed ${r.changed}`);
      }),
    );
  calendar
    .command('publish')
    .description("the year's State Council notice is fully entered as overrides: its deadlines stop being provisional")
    .argument('<year>', 'e.g. 2027', year)
    .action(
      act(async ({ deps }, y: number) => {
        const r = await recomputeAfterCalendarChange(deps, await publishYear(deps, y, 'cli'), 'cli');
        out(`${y} published; provisional deadlines examined ${r.examined}, changed ${r.changed}`);
      }),
    );

  group('policy', "a region's deadline policy")
    .command('set')
    .description("set a region's policy profile to a preset (overrides through the admin API)")
    .argument('<region>', 'region code (6 digits)', regionCode)
    .addOption(new Option('--preset <id>', 'one of the five presets').choices(PRESET_IDS).makeOptionMandatory())
    .action(
      act(async ({ deps }, region: string, o: { preset: string }) => {
        await setRegionPolicy(deps, region, { presetId: o.preset }, 'cli');
        out(`region ${region} runs ${o.preset}`);
      }),
    );

  program
    .command('sweep')
    .description('run the sweep once now (reminders, overdue items, ledgers, outbox)')
    .action(
      act(async ({ deps }) => {
        const r = await sweep(deps, deps.clock.now());
        out(JSON.stringify(r, null, 2));
        return Object.values(r.steps).every((s) => s.ok) ? 0 : 1;
      }),
    );

  program
    .command('backup')
    .description('a consistent snapshot of the database (attachments included) and the gateway keys, taken while the gateway runs')
    .argument('<dir>', 'a new or empty directory')
    .action(async (dir: string) => {
      const m = await backup(parseNodeConfig(env), dir);
      out(
        `备份完成 backup written to ${dir}: ${m.deliveries} deliveries, audit head #${m.auditHead.seq}, ${m.database.bytes.toLocaleString('en')} bytes, sha256 ${m.database.sha256}`,
      );
    });
  program
    .command('restore')
    .description('put a backup in place for a stopped gateway (DATA_DIR / DATABASE_URL), then verify its audit chain')
    .argument('<dir>', 'a directory written by backup')
    .option('--force', 'replace a database that already holds deliveries (what it held is kept in replaced-<time>/ beside it)')
    .action(async (dir: string, o: { force?: boolean }) => {
      const r = await restore(parseNodeConfig(env), dir, o);
      if (!r.audit.ok) {
        out(`恢复后审计链不完整 restored, but the audit chain is broken at record #${r.audit.firstBad!.seq}: ${r.audit.firstBad!.reason}`);
        code = 1;
        return;
      }
      if (r.replaced)
        out(
          `被替换的数据已保留 the replaced database (${r.replaced.deliveries} deliveries, audit head #${r.replaced.auditHead.seq}) and keys are kept in ${r.replaced.dir}: \`restore ${r.replaced.dir} --force\` puts them back`,
        );
      out(
        `恢复完成 restored ${r.manifest.deliveries} deliveries from ${dir} (taken ${r.manifest.createdAt}); 审计链完整 audit chain intact: ${r.audit.records} records, head #${r.audit.head.seq}`,
      );
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version: done; a group without its command shows its help and is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      return 2;
    }
    if (e instanceof BackupError) {
      out(`error: ${e.message}`);
      return 1;
    }
    if (e instanceof UsageError) {
      out(`error: ${e.message}`);
      return 2;
    }
    if (e instanceof Problem) {
      out(`error: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await ctx?.close();
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
