/** Administration of senders (courts, procuratorates) and the CA certificates that may sign for them. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { listSenders, registerSender } from '../../services/senders.js';
import { revocationStatus, setSenderTrust, uploadCrl } from '../../services/revocation.js';
import { fromBase64 } from '../../lib/encoding.js';
import { Problem } from '../../lib/problem.js';
import { getRevocation, getSenders, postCrl, postSender, putTrust } from './senders.routes.js';

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
        c.var.actor,
      ),
      200,
    );
  });
  app.openapi(putTrust, async (c) => {
    const b = c.req.valid('json');
    const input = { ...(b.revocationPolicy ? { revocationPolicy: b.revocationPolicy } : {}), ...(b.sm2 !== undefined ? { sm2: b.sm2 } : {}) };
    return c.json(await setSenderTrust(c.var.deps, c.req.valid('param').code, input, c.var.actor), 200);
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
    return c.json(await uploadCrl(c.var.deps, code, input, c.var.actor), 200);
  });
  app.openapi(getRevocation, async (c) => c.json(await revocationStatus(c.var.deps), 200));
  app.openapi(getSenders, async (c) => c.json({ items: await listSenders(c.var.deps) }, 200));
}
