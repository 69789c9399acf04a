/** Contracts: liveness, readiness and the gateway's public keys. */
import { createRoute, z } from '@hono/zod-openapi';

export const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['Operations 运维'],
  summary: 'Alive',
  responses: { 200: { description: 'The process answers', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

export const Ready = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    database: z.enum(['ok', 'unreachable']),
    /** Present while writes fail (a full disk, a read-only file, a lock held too long): the problem type's slug. */
    writes: z.string().optional(),
    migrations: z.object({ current: z.boolean(), applied: z.number().int(), expected: z.number().int() }).optional(),
  })
  .openapi('Readiness');

export const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['Operations 运维'],
  summary: 'Ready: database reachable and migrations current',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: Ready } } },
    503: { description: 'Not ready', content: { 'application/json': { schema: Ready } } },
  },
});

const Jwk = z
  .object({
    kty: z.string().optional().describe('EC'),
    kid: z.string().optional().describe('Names the key a receipt or evidence header cites'),
    alg: z.string().optional(),
    use: z.string().optional(),
    crv: z.string().optional(),
    x: z.string().optional(),
    y: z.string().optional(),
  })
  .catchall(z.unknown())
  .openapi('JWK');
export const Jwks = z.object({ keys: z.array(Jwk) }).openapi('JWKS');
export const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['Keys 密钥'],
  summary: "The gateway's public keys (verify receipts and evidence with these alone)",
  responses: { 200: { description: 'JWK Set (ES256, with kid)', content: { 'application/json': { schema: Jwks } } } },
});
