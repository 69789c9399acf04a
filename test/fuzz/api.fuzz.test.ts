/**
 * Hostile requests to every operation of the app's own /openapi.json, and to the pages' sign-in (issue 18):
 * bad path and query parameters, bodies that are not JSON or not the schema, other Content-Types, broken and
 * foreign credentials, malformed X-Actor. For every answer: never a 5xx; a refusal is problem+json with the
 * problem's own fields and changes no row; a denial to a non-administrator names nothing the caller did not send.
 * Seeded (FUZZ_SEED): the same requests on every run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeAnyway, FUZZ_SEED, fuzzWorld, hostileJsonText, hostileString, latin1, problemDefect, type World } from './world.js';

interface Operation {
  method: string;
  path: string;
  params: { in: 'path' | 'query' | 'header'; name: string }[];
  bodyTypes: string[];
  bodyKeys: string[];
}

let w: World;
const ops: Operation[] = [];
const tally = { requests: 0, fiveXx: 0, leaks: 0, refusals: 0, allowed: 0 };

type Json = Record<string, unknown>;
function resolve(doc: Json, s: unknown): Json {
  let x = (s ?? {}) as Json;
  for (let i = 0; i < 5 && typeof x.$ref === 'string'; i++) x = ((doc.components as Json).schemas as Json)[(x.$ref as string).split('/').pop()!] as Json;
  return x;
}

beforeAll(async () => {
  w = await fuzzWorld();
  const doc = (await (await w.gw.app.request('http://gw/openapi.json')).json()) as Json;
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(item)) {
      const content = ((op.requestBody as Json | undefined)?.content ?? {}) as Record<string, { schema?: unknown }>;
      const keys = new Set<string>();
      for (const c of Object.values(content)) for (const k of Object.keys((resolve(doc, c.schema).properties as Json | undefined) ?? {})) keys.add(k);
      ops.push({
        method: method.toUpperCase(),
        path,
        params: ((op.parameters as { in: 'path' | 'query' | 'header'; name: string }[] | undefined) ?? []).map((p) => ({ in: p.in, name: p.name })),
        bodyTypes: Object.keys(content),
        bodyKeys: [...keys],
      });
    }
  }
  // The pages' sign-in takes forms (urlencoded and multipart) from the same origin.
  ops.push({
    method: 'POST',
    path: '/web/login',
    params: [],
    bodyTypes: ['application/x-www-form-urlencoded', 'multipart/form-data'],
    bodyKeys: ['client_id', 'client_secret', 'person', 'next'],
  });
  ops.push({
    method: 'GET',
    path: '/web/login',
    params: [
      { in: 'query', name: 'next' },
      { in: 'query', name: 'expired' },
    ],
    bodyTypes: [],
    bodyKeys: [],
  });
}, 60_000);
afterAll(async () => {
  // The figures for the issue note: generated inputs, 5xx answers, leaks.
  console.log(`FUZZ api ${JSON.stringify({ operations: ops.length, ...tally })}`);
  await w?.gw.close();
});

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=XyZ',
  'multipart/form-data',
  'application/xml',
  'application/jose',
  '',
  'application/json; charset=utf-16',
  ';;;',
  'application/*',
];
const AUTHS = [
  'admin',
  'jb',
  'jbOther',
  'office',
  'unit',
  'unitOther',
  'court',
  'courtOther',
  'liaison',
  'procuratorate',
  'none',
  'garbage-bearer',
  'basic',
  'basic-bad',
  'long-bearer',
  'admin-bad-actor',
  'admin-no-actor',
] as const;

function authHeaders(kind: (typeof AUTHS)[number], actor: string): Record<string, string> {
  const h = w.headers as Record<string, Record<string, string>>;
  switch (kind) {
    case 'none':
      return {};
    case 'garbage-bearer':
      return { authorization: 'Bearer not.a.token' };
    case 'basic':
      return { authorization: `Basic ${btoa('client:secret')}` };
    case 'basic-bad':
      return { authorization: 'Basic %%%%' };
    case 'long-bearer':
      return { authorization: `Bearer ${'a'.repeat(9000)}` };
    case 'admin-bad-actor':
      return { authorization: `Bearer ${w.adminToken}`, 'x-actor': latin1(actor) };
    case 'admin-no-actor':
      return { authorization: `Bearer ${w.adminToken}` };
    default:
      return { authorization: h[kind]!.authorization!, ...(kind === 'admin' ? { 'x-actor': h.admin!['x-actor']! } : {}) };
  }
}

const multipartText = (fields: [string, string][], boundary = 'XyZ') =>
  fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;

describe('hostile requests to every operation', () => {
  it('never a 5xx; every refusal problem+json, nothing written, nothing leaked', async () => {
    expect(ops.length).toBeGreaterThan(50);
    const known = [w.ids.caseId, w.ids.documentId, w.ids.queuedCaseId, 'a1', 'defence_draft_submitted', 'hearing_held', '2026-11-23', '2026-12-01'];
    const secrets = [w.ids.caseId, w.ids.documentId, w.ids.queuedCaseId, '(2026)浙0825行初501号', '(2026)浙0825行初502号'];
    const request = fc.record({
      op: fc.constantFrom(...ops),
      values: fc.array(hostileString(known), { minLength: 12, maxLength: 12 }),
      keep: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      extraQuery: fc.option(fc.tuple(hostileString(), hostileString()), { freq: 4 }),
      auth: fc.constantFrom(...AUTHS),
      actor: hostileString(),
      contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { freq: 6 }),
      body: fc.option(fc.oneof(hostileJsonText([], known), fc.string({ maxLength: 60 })), { freq: 8 }),
      bodyFor: fc.nat(),
      form: fc.array(fc.tuple(fc.constantFrom('client_id', 'client_secret', 'person', 'next', 'grant_type', 'x'), hostileString(known)), { maxLength: 5 }),
    });
    let rows = await w.rows();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const op = r.op;
        let url = op.path;
        const q = new URLSearchParams();
        const headers: Record<string, string> = { ...authHeaders(r.auth, r.actor) };
        op.params.forEach((p, i) => {
          const v = r.values[i % 12]!;
          if (p.in === 'path') url = url.replace(`{${p.name}}`, r.keep[i % 12] ? encodeAnyway(v) : v.replace(/[/?#]/g, '_') || '_');
          else if (p.in === 'query' && r.keep[i % 12]) q.append(p.name, v);
          else if (p.in === 'header' && r.keep[i % 12]) headers[p.name] = latin1(v);
        });
        if (r.extraQuery) q.append(r.extraQuery[0], r.extraQuery[1]);
        let qs = q.toString();
        if (r.keep[11] && qs) qs += '&%E0%A4%A=%ZZ'; // a broken escape in the query string too
        const init: RequestInit = { method: op.method, headers };
        if (op.method !== 'GET' && op.method !== 'DELETE') {
          const declared = op.bodyTypes[r.bodyFor % Math.max(1, op.bodyTypes.length)];
          const type = r.contentType ?? declared ?? 'application/json';
          if (type) headers['content-type'] = type;
          if (type.startsWith('multipart/form-data')) init.body = multipartText(r.form.length ? r.form : [['client_id', r.values[0]!]]);
          else if (type === 'application/x-www-form-urlencoded')
            init.body = r.form.map(([k, v]) => `${k}=${encodeAnyway(v)}`).join('&') + (r.keep[10] ? '&%ZZ=%' : '');
          else if (r.body !== null) init.body = r.body;
          if (op.path.startsWith('/web/')) headers.origin = 'http://gw';
        }
        const sent = `${url}?${qs} ${String(init.body ?? '')} ${JSON.stringify(headers)}`;
        const res = await w.gw.app.request(`http://gw${url}${qs ? `?${qs}` : ''}`, init);
        tally.requests++;
        // The rows of every table after each request: a refusal leaves them as the previous request left them.
        const before = rows;
        rows = await w.rows();
        const where = `${op.method} ${url}${qs ? `?${qs}` : ''} as ${r.auth}`;
        if (res.status >= 500) {
          tally.fiveXx++;
          throw new Error(`${where} → ${res.status} ${await res.text()}`);
        }
        if (res.status >= 400) {
          tally.refusals++;
          if (!op.path.startsWith('/web/')) {
            const defect = await problemDefect(res);
            if (defect) throw new Error(`${where}: ${defect}`);
          }
          expect(rows, `${where} → ${res.status} changed a row`).toBe(before);
          if (r.auth !== 'admin' && [401, 403, 404].includes(res.status)) {
            const text = await res.text();
            const leaked = secrets.filter((s) => text.includes(s) && !sent.includes(s) && !sent.includes(encodeURIComponent(s)));
            if (leaked.length) {
              tally.leaks++;
              throw new Error(`${where} → ${res.status} names ${leaked.join(', ')}: ${text}`);
            }
          }
        } else tally.allowed++;
      }),
      { seed: FUZZ_SEED, numRuns: Number(process.env.FUZZ_RUNS ?? 1500), endOnFailure: true },
    );
    expect(tally.fiveXx).toBe(0);
    expect(tally.leaks).toBe(0);
  }, 240_000);
});
