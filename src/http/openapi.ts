/**
 * The published OpenAPI document, finished once from what the routes declare (@hono/zod-openapi):
 *   - every operation has an operationId (from its method and path, stable) and says its security: a public one
 *     (intake, JWKS, token, calculator, calendar, feed, health) says `security: []`;
 *   - the bearer scheme is named for what it takes (any client's access token, or ADMIN_TOKEN), not `adminToken`;
 *   - `servers`, the licence, and the tags in the order a reader needs them: what courts call first.
 * Checked with Redocly's recommended rules (`npx @redocly/cli lint`, test/openapi.test.ts).
 */

type Json = Record<string, unknown>;
type Operation = Json & { tags?: string[]; security?: Record<string, string[]>[]; operationId?: string };

export const SECURITY_SCHEME = 'clientToken';
/** What the routes declare (src/http/auth.ts `guard`: `security: [{ adminToken: [] }]`), renamed here once. */
const DECLARED_SCHEME = 'adminToken';

/** Tags in reading order: the court-facing contract first, then the agencies' work, then administration. */
export const TAG_ORDER: readonly { name: string; description: string }[] = [
  { name: 'Deliveries 送达', description: 'Courts and procuratorates push signed documents here and receive a signed receipt (the legal time of service).' },
  { name: 'Keys 密钥', description: "The gateway's public keys: verify receipts and evidence with these alone." },
  {
    name: 'Evidence 证据',
    description: 'Courts pull the evidence of their deliveries (retrievals, confirmations, replies); it is also pushed to their callback.',
  },
  { name: 'Access 认证', description: 'OAuth 2.0 client credentials: every client (court, agency, bureau) gets a short-lived access token here.' },
  {
    name: 'Audit log 审计日志',
    description:
      "The audit log as a transparency log (RFC 9162): its signed tree head, inclusion and consistency proofs. A court checks with these and the JWKS alone that its delivery is in today's log and that the log was only appended to (schemas/wire/audit-proofs.md).",
  },
  { name: 'Filings 文书', description: 'Agencies pull the documents assigned to them; the justice bureau confirms receipt (签收).' },
  { name: 'Cases 案件', description: 'A case, its timeline, and the steps that work it to its end.' },
  { name: 'Routing 分办', description: "Who answers a case: the rules' decisions, their explanation, the justice bureau's queue." },
  { name: 'Deadlines 时限', description: 'Obligations with due dates from the region policy and the legal calendar; the calculator; the iCalendar feed.' },
  { name: 'Suggestions 建议', description: 'Judicial and procuratorial suggestions: drafts, review, approval, the reply relayed to the sender.' },
  { name: 'Statistics 统计', description: 'Shared figures for joint government–court meetings, signed meeting packs, ledger and report exports.' },
  { name: 'Notifications 通知', description: 'DingTalk, WeCom and Standard Webhooks channels per unit; the outbox and its dead letters.' },
  { name: 'Directory 单位名录', description: 'Regions, units and courts, and the regions each court serves over time.' },
  { name: 'Senders 发送方', description: 'Courts and procuratorates allowed to deliver, with the CA certificates that may sign for them.' },
  { name: 'Operations 运维', description: 'Liveness, readiness, metrics.' },
];

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** get /v1/filings/{id}/attachments/{attachmentId} → getFilingsIdAttachmentsAttachmentId (unique per method + path). */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/v1\//, '/')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

export function finishOpenApi<T extends object>(doc: T, opts: { serverUrl?: string } = {}): T {
  const out = structuredClone(doc) as Json & { paths?: Record<string, Record<string, Operation>>; components?: Json & { securitySchemes?: Json } };
  const used = new Set<string>();
  for (const [path, item] of Object.entries(out.paths ?? {})) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      op.operationId ??= operationIdOf(m, path);
      if (used.has(op.operationId)) op.operationId = `${op.operationId}${used.size}`;
      used.add(op.operationId);
      op.security = (op.security ?? []).map((req) => Object.fromEntries(Object.entries(req).map(([k, v]) => [k === DECLARED_SCHEME ? SECURITY_SCHEME : k, v])));
    }
  }
  const schemes = out.components?.securitySchemes;
  if (schemes && DECLARED_SCHEME in schemes) {
    schemes[SECURITY_SCHEME] = schemes[DECLARED_SCHEME];
    delete schemes[DECLARED_SCHEME];
  }
  const present = new Set(Object.values(out.paths ?? {}).flatMap((item) => METHODS.flatMap((m) => item[m]?.tags ?? [])));
  out.tags = [...TAG_ORDER.filter((t) => present.has(t.name)), ...[...present].filter((n) => !TAG_ORDER.some((t) => t.name === n)).map((name) => ({ name }))];
  out.servers = [{ url: opts.serverUrl?.replace(/\/+$/, '') || '/', description: opts.serverUrl ? 'this gateway' : 'the gateway serving this document' }];
  const info = (out.info ?? {}) as Json;
  info.license ??= { name: 'Apache-2.0', identifier: 'Apache-2.0' };
  out.info = info;
  return out as T;
}
