/**
 * The audit log as a transparency log (RFC 9162, in the manner of Certificate Transparency): its signed tree head,
 * inclusion proofs of a record and consistency proofs between two tree sizes. Public, like the JWKS: a court
 * holding one receipt checks, with these and /.well-known/jwks.json alone, that its delivery is in today's log
 * and that today's log extends the one its receipt committed to. Proofs carry hashes only, never content.
 * Format and a worked example: schemas/wire/audit-proofs.md.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { problemResponses } from '../../../schemas/api/common.js';
import { latestTreeHead, proveConsistency, proveInclusion } from '../../services/audit.js';
import { Problem } from '../../lib/problem.js';

const tags = ['Audit log 审计日志'];
const hex = z.string().regex(/^[0-9a-f]{64}$/);
const size = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const TreeHead = z
  .object({
    treeSize: z.number().int().describe('Records in the log (= leaves of the tree)'),
    rootHash: hex.describe('RFC 9162 MTH of the first treeSize records, hex'),
    hash: hex.describe('Hash-chain hash of record treeSize'),
    at: z.string().describe('When it was signed (UTC)'),
    jws: z.string().describe('Compact JWS (ES256, typ fuyuan-tree-head+jws) over the JCS form of {type:"audit-tree-head", treeSize, rootHash, hash, at}'),
  })
  .openapi('SignedTreeHead');

const treeHead = createRoute({
  method: 'get',
  path: '/v1/audit/tree-head',
  tags,
  summary: 'The latest signed tree head of the audit log',
  responses: { 200: { description: 'Signed tree head', content: { 'application/json': { schema: TreeHead } } }, ...problemResponses(404) },
});

const Inclusion = z
  .object({
    seq: z.number().int(),
    leafIndex: z.number().int().describe('seq − 1'),
    treeSize: z.number().int(),
    leafHash: hex.describe('SHA-256(0x00 || 32 bytes of the record hash)'),
    auditPath: z.array(hex).describe('RFC 9162 §2.1.3.1 PATH(leafIndex, D[treeSize])'),
    rootHash: hex.describe('The root the gateway computes; compare a root you hold (receipt or signed tree head), not this'),
  })
  .openapi('InclusionProof');

const inclusion = createRoute({
  method: 'get',
  path: '/v1/audit/proofs/inclusion',
  tags,
  summary: 'Inclusion proof of an audit record (e.g. the one a receipt names) in the tree of a given size',
  request: {
    query: z.object({
      seq: size.describe('The audit record (a receipt states it as auditHead.seq)'),
      treeSize: size.optional().describe('Default: the latest signed tree head'),
    }),
  },
  responses: { 200: { description: 'Inclusion proof', content: { 'application/json': { schema: Inclusion } } }, ...problemResponses(400, 404) },
});

const Consistency = z
  .object({
    first: z.number().int(),
    second: z.number().int(),
    consistency: z.array(hex).describe('RFC 9162 §2.1.4.1 PROOF(first, D[second])'),
    firstRootHash: hex,
    secondRootHash: hex,
  })
  .openapi('ConsistencyProof');

const consistency = createRoute({
  method: 'get',
  path: '/v1/audit/proofs/consistency',
  tags,
  summary: 'Consistency proof: the tree of `second` records extends the tree of `first` (history only appended to)',
  request: {
    query: z.object({
      first: size.describe('An earlier tree size (a receipt states it as auditHead.seq)'),
      second: size.optional().describe('Default: the latest signed tree head'),
    }),
  },
  responses: { 200: { description: 'Consistency proof', content: { 'application/json': { schema: Consistency } } }, ...problemResponses(400, 404) },
});

export function mountAudit(app: OpenAPIHono<AppEnv>) {
  app.openapi(treeHead, async (c) => {
    const h = await latestTreeHead(c.var.deps);
    if (!h) throw new Problem('not-found', 'the audit log is empty: no tree head has been signed yet');
    return c.json(h, 200);
  });
  app.openapi(inclusion, async (c) => {
    const q = c.req.valid('query');
    return c.json(await proveInclusion(c.var.deps, q.seq, q.treeSize), 200);
  });
  app.openapi(consistency, async (c) => {
    const q = c.req.valid('query');
    return c.json(await proveConsistency(c.var.deps, q.first, q.second), 200);
  });
}
