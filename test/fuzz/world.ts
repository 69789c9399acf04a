/**
 * The world the fuzz suites attack: a gateway with the demo directory, a registered court, one delivered case
 * (a document with an attachment, its obligations), a queued case, and clients of every role. Also the tools
 * the suites share: row counts of every table in one statement (a refusal changes none), the problem checks,
 * and the hostile values requests are made of.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { adminHeaders, ADMIN_TOKEN, clientToken, T0 } from '../helpers/gateway.js';
import { deliveredWorld } from '../helpers/world.js';
import { demoManifest, multipartRequest, signManifest, type FileInput } from '../../adapters/node/court-kit.js';

/** The one seed of every fuzz suite: a failure replays exactly (fast-check prints the path to shrink from). */
export const FUZZ_SEED = 20261201;

export type World = Awaited<ReturnType<typeof fuzzWorld>>;

export async function fuzzWorld() {
  const file: FileInput = { id: 'a1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: new Uint8Array(200).fill(7) };
  const { gw, court, first: r } = await deliveredWorld({ messageId: 'fz-1', caseNumber: '(2026)浙0825行初501号', file, bodyLimitBytes: 256 * 1024 });
  if (r.status !== 201) throw new Error(`seed delivery: ${r.status} ${await r.text()}`);
  const d = ((await r.json()) as { receipt: { documents: { id: string; routing: { caseId: string } }[] } }).receipt.documents[0]!;
  const joint = demoManifest({ messageId: 'fz-2', senderCode: 'court-longyou', issuedAt: T0, caseNumber: '(2026)浙0825行初502号' });
  joint.documents[0]!.case!.defendants = [{ name: '柯城区自然资源局' }, { name: '柯城区综合行政执法局' }];
  joint.documents[0]!.case!.challengedAct.actingUnits = joint.documents[0]!.case!.defendants;
  const r2 = await gw.app.request(multipartRequest('http://gw/v1/deliveries', await signManifest(joint, court.signer), []));
  const queuedCase = ((await r2.json()) as { receipt: { documents: { routing: { caseId: string } }[] } }).receipt.documents[0]!.routing.caseId;
  const ids = { caseId: d.routing.caseId, documentId: d.id, queuedCaseId: queuedCase };
  const headers = {
    admin: adminHeaders(),
    jb: (await clientToken(gw, 'justice_bureau', '330802')).headers,
    jbOther: (await clientToken(gw, 'justice_bureau', '330803')).headers,
    office: (await clientToken(gw, 'government_office', '330802')).headers,
    unit: (await clientToken(gw, 'unit', 'kc-zrzy')).headers,
    unitOther: (await clientToken(gw, 'unit', 'kc-zjj')).headers,
    court: (await clientToken(gw, 'court', 'court-longyou')).headers,
    courtOther: (await clientToken(gw, 'court', 'court-kecheng')).headers,
    liaison: (await clientToken(gw, 'liaison', 'court-longyou')).headers,
    procuratorate: (await clientToken(gw, 'procuratorate', 'procuratorate-kecheng')).headers,
  };
  const tables = (
    (await gw.client.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name"))
      .rows as unknown as { name: string }[]
  ).map((t) => t.name);
  const countAll = sql.raw(`select ${tables.map((t) => `(select count(*) from "${t}")`).join(', ')}`);
  /** Rows in every table, as one string: equal before and after = nothing was written. */
  const rows = async () => JSON.stringify(await gw.deps.db.orm.all(countAll));
  return { gw, court, ids, headers, rows, tables, file, adminToken: ADMIN_TOKEN };
}

/** The problem's own fields, and the extras some problems carry about the caller's own input. */
const PROBLEM_KEYS = new Set([
  'type',
  'title',
  'titleZh',
  'titleEn',
  'status',
  'detail',
  'instance',
  'errors',
  'attachment',
  'retryAfterSeconds',
  'certificate',
  'fingerprint',
  'limit',
  'path',
]);

/** A refusal: problem+json with the problem's own fields, a Chinese title and a detail. Returns what is wrong, or null. */
export async function problemDefect(res: Response): Promise<string | null> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) return `${res.status} with content-type ${type}`;
  let body: Record<string, unknown>;
  try {
    body = (await res.clone().json()) as Record<string, unknown>;
  } catch {
    return `${res.status}: body is not JSON`;
  }
  if (body.status !== res.status) return `${res.status}: problem says status ${String(body.status)}`;
  if (typeof body.type !== 'string' || !body.type.startsWith('urn:fuyuan:problem:')) return `${res.status}: type ${String(body.type)}`;
  if (typeof body.detail !== 'string' || !body.detail) return `${res.status}: no detail`;
  if (typeof body.titleZh !== 'string' || !/[\u4e00-\u9fff]/.test(body.titleZh)) return `${res.status}: no Chinese title`;
  const extra = Object.keys(body).filter((k) => !PROBLEM_KEYS.has(k));
  if (extra.length) return `${res.status}: unexpected fields ${extra.join(', ')}`;
  return null;
}

/** Strings an attacker tries first: broken escapes, lone surrogates, control bytes, huge and odd values. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '   ',
  '%',
  '%E0%A4%A',
  '%ED%A0%80',
  '%00',
  '%2e%2e%2f',
  '../../etc/passwd',
  '\u0000',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  'null',
  'undefined',
  '[]',
  '{}',
  '-1',
  '0',
  '1e309',
  'NaN',
  '9'.repeat(40),
  'a'.repeat(5000),
  "'; drop table cases; --",
  '<script>alert(1)</script>',
  '2026-13-45',
  '0001-01-01',
  '9999-12-31',
  '2026-02-30',
  '2026-H3',
  '2026-Q9',
  '2026-00',
  '2026-01-01..2025-01-01',
  '2026-01-01..',
  '99999',
  '2026',
  '2026-Q4',
  '2026-11',
  '2026-H1',
  '330802',
  '330803',
  'kc-zrzy',
  'court-longyou',
  'loss_rate',
  'lead',
  'xlsx',
  'csv',
  'open',
  '柯城区',
  '\u202e',
  'Bearer',
] as const;

/** A hostile string: one of the above, random text (any code unit, lone surrogates included), or a mix. */
export const hostileString = (known: string[] = []): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS, ...known) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_STRINGS, ...known), fc.string({ maxLength: 5 })).map(([a, b]) => a + b) },
  );

/** Percent-encode for a URL even when the text has lone surrogates (encodeURIComponent throws on those). */
export function encodeAnyway(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s].map((ch) => (/[\ud800-\udfff]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
  }
}

/** A header value must be a ByteString for fetch: anything above U+00FF becomes its UTF-8 bytes, percent-free. */
export const latin1 = (s: string) => s.replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, (ch) => encodeAnyway(ch));

/** JSON values with hostile leaves, as text; sometimes not JSON at all. */
export const hostileJsonText = (keys: string[], known: string[]): fc.Arbitrary<string> => {
  const leaf = fc.oneof(
    hostileString(known),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308, 2 ** 53),
  );
  const value = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom(...keys, 'x', '__proto__', 'constructor'), tie('v'), { maxKeys: 5 }),
    ),
  })).v;
  const object = fc.dictionary(fc.constantFrom(...(keys.length ? keys : ['x'])), value, { maxKeys: Math.max(3, keys.length) });
  return fc.oneof(
    { weight: 6, arbitrary: object.map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '{bad',
        '{"a":1,}',
        'null',
        '[]',
        '"text"',
        '{"name":"\\ud800"}',
        '{"reason":"\\udfff","assignments":[{"unitId":"kc-zrzy","role":"lead"}]}',
        '['.repeat(5000),
        '{"a":' + '1'.repeat(400) + '}',
        '\u0000',
        '\ufeff{}',
        '{"__proto__":{"admin":true}}',
        '<xml/>',
        'grant_type=client_credentials',
      ),
    },
  );
};
