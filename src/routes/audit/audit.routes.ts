/** The audit log's public contract (handlers in ./index.ts): the signed tree head and the RFC 9162 proofs. */
import { createRoute, z } from '@hono/zod-openapi';
import { problemResponses } from '../../../schemas/api/common.js';

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

export const treeHead = createRoute({
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

export const inclusion = createRoute({
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

export const consistency = createRoute({
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
