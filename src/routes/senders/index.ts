/** Administration of senders (courts, procuratorates) and the CA certificates that may sign for them. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { problemResponses } from '../../../schemas/api/common.js';
import { listSenders, registerSender } from '../../services/senders.js';

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

/** Mounted after mountDirectory, whose /v1/admin/* guard requires the admin role. */
export function mountSenders(app: OpenAPIHono<AppEnv>) {
  app.openapi(postSender, async (c) => {
    const b = c.req.valid('json');
    return c.json(await registerSender(c.var.deps, { code: b.code, type: b.type, name: b.name, caPem: b.caPem, ...(b.callbackUrl ? { callbackUrl: b.callbackUrl } : {}) }, String(c.get('actor' as never))), 200);
  });
  app.openapi(getSenders, async (c) => c.json({ items: await listSenders(c.var.deps) } as never, 200));
}
