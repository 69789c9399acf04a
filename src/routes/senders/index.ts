/** Administration of senders (courts, procuratorates) and the CA certificates that may sign for them. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { problemResponses } from '../../../schemas/api/common.js';
import { listSenders, registerSender } from '../../services/senders.js';
import { revocationStatus, setSenderTrust, uploadCrl } from '../../services/revocation.js';
import { fromBase64 } from '../../lib/encoding.js';
import { Problem } from '../../lib/problem.js';

const security = [{ adminToken: [] }];

const postSender = createRoute({
  method: 'post',
  path: '/v1/admin/senders',
  tags: ['Senders 发送方'],
  summary: 'Register a court or procuratorate with its CA certificate(s), or add CAs to it',
  security,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            code: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
            type: z.enum(['court', 'procuratorate']),
            name: z.string().trim().min(1).max(200),
            caPem: z.string().min(100).describe('PEM, one or more CERTIFICATE blocks'),
            callbackUrl: z.url().optional().describe('Where evidence is pushed (receipts, retrievals, confirmations, replies)'),
            revocationPolicy: z.enum(['hard', 'soft']).optional().describe('Without a fresh revocation status: hard refuses (403 revocation-unknown), soft accepts and re-checks (default)'),
            sm2: z.boolean().optional().describe('Registered for 国密 SM2/SM3 signatures (JWS alg SM2SM3, XML SM2-SM3)'),
          }),
        },
      },
    },
  },
  responses: { 200: { description: 'Registered', content: { 'application/json': { schema: z.object({ code: z.string(), added: z.array(z.string()) }) } } }, ...problemResponses(400, 401, 403, 409) },
});

const getSenders = createRoute({
  method: 'get',
  path: '/v1/admin/senders',
  tags: ['Senders 发送方'],
  summary: 'Registered senders and their CAs',
  security,
  responses: { 200: { description: 'Senders', content: { 'application/json': { schema: z.object({ items: z.array(z.record(z.string(), z.unknown())) }) } } }, ...problemResponses(401, 403) },
});

const senderParam = z.object({ code: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) });

const putTrust = createRoute({
  method: 'put',
  path: '/v1/admin/senders/{code}/trust',
  tags: ['Senders 发送方'],
  summary: "A sender's revocation policy (hard- or soft-fail) and whether it signs with SM2",
  security,
  request: {
    params: senderParam,
    body: { required: true, content: { 'application/json': { schema: z.object({ revocationPolicy: z.enum(['hard', 'soft']).optional(), sm2: z.boolean().optional() }).strict() } } },
  },
  responses: {
    200: { description: 'Saved', content: { 'application/json': { schema: z.object({ code: z.string(), revocationPolicy: z.enum(['hard', 'soft']), sm2: z.boolean() }) } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

const postCrl = createRoute({
  method: 'post',
  path: '/v1/admin/senders/{code}/crls',
  tags: ['Senders 发送方'],
  summary: 'Upload a CRL issued by one of the sender’s registered CAs (PEM, or the DER in standard base64)',
  security,
  request: {
    params: senderParam,
    body: { required: true, content: { 'application/json': { schema: z.object({ crlPem: z.string().min(50).max(20_000_000).describe('a PEM "X509 CRL" block, or the DER in standard base64') }) } } },
  },
  responses: {
    200: { description: 'Checked (and stored when newer than the one held)', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

const getRevocation = createRoute({
  method: 'get',
  path: '/v1/admin/revocation',
  tags: ['Senders 发送方'],
  summary: 'CRLs, distribution points, OCSP statuses held, and alerts from soft-fail re-checks',
  security,
  responses: { 200: { description: 'Status', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } }, ...problemResponses(401, 403) },
});

/** Mounted after mountDirectory, whose /v1/admin/* guard requires the admin role. */
export function mountSenders(app: OpenAPIHono<AppEnv>) {
  app.openapi(postSender, async (c) => {
    const b = c.req.valid('json');
    return c.json(
      await registerSender(
        c.var.deps,
        {
          code: b.code,
          type: b.type,
          name: b.name,
          caPem: b.caPem,
          ...(b.callbackUrl ? { callbackUrl: b.callbackUrl } : {}),
          ...(b.revocationPolicy ? { revocationPolicy: b.revocationPolicy } : {}),
          ...(b.sm2 !== undefined ? { sm2: b.sm2 } : {}),
        },
        String(c.get('actor' as never)),
      ),
      200,
    );
  });
  app.openapi(putTrust, async (c) => {
    const b = c.req.valid('json');
    const input = { ...(b.revocationPolicy ? { revocationPolicy: b.revocationPolicy } : {}), ...(b.sm2 !== undefined ? { sm2: b.sm2 } : {}) };
    return c.json(await setSenderTrust(c.var.deps, c.req.valid('param').code, input, String(c.get('actor' as never))), 200);
  });
  app.openapi(postCrl, async (c) => {
    const { code } = c.req.valid('param');
    const { crlPem } = c.req.valid('json');
    let input: string | Uint8Array = crlPem;
    if (!crlPem.includes('-----BEGIN')) {
      try {
        input = fromBase64(crlPem.replace(/\s+/g, ''));
      } catch {
        throw new Problem('bad-request', 'crlPem is neither a PEM "X509 CRL" block nor standard base64 DER');
      }
    }
    return c.json((await uploadCrl(c.var.deps, code, input, String(c.get('actor' as never)))) as Record<string, unknown>, 200);
  });
  app.openapi(getRevocation, async (c) => c.json((await revocationStatus(c.var.deps)) as unknown as Record<string, unknown>, 200));
  app.openapi(getSenders, async (c) => c.json({ items: await listSenders(c.var.deps) } as never, 200));
}
