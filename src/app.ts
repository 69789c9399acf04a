/**
 * createApp(deps) → the Hono app. The one place where routes are mounted; entry points (adapters/node,
 * adapters/workers, tests) only build the deps.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import type { AppEnv, Deps } from './deps.js';
import { Problem, problemResponse } from './lib/problem.js';
import { faultProblem, noteStorageFault, storageFaultOf } from './lib/faults.js';
import { mountHealth } from './routes/health/index.js';
import { mountDeliveries } from './routes/deliveries/index.js';
import { mountDocs } from './routes/docs/index.js';
import { mountRouting } from './routes/routing/index.js';
import { mountDirectory } from './routes/directory/index.js';
import { mountDeadlines } from './routes/deadlines/index.js';
import { mountAuth } from './routes/auth/index.js';
import { mountFilings } from './routes/filings/index.js';
import { mountCases } from './routes/cases/index.js';
import { mountSuggestions } from './routes/suggestions/index.js';
import { mountNotifications } from './routes/notifications/index.js';
import { mountSenders } from './routes/senders/index.js';
import { mountAdvisers } from './routes/advisers/index.js';
import { mountStatistics } from './routes/statistics/index.js';
import { mountWeb } from './web/index.js';

export const API_INFO = {
  title: '府院通 Fuyuan gateway',
  version: '0.1.0',
  description:
    '政府与法院之间的行政应诉数据交换网关 (government–court data exchange for administrative litigation response). ' +
    'Courts push signed documents; the gateway verifies, stores, and answers with a signed receipt whose arrival time is the legal time of service. ' +
    'Every refusal is application/problem+json (RFC 9457) with a stable type urn:fuyuan:problem:<slug>.',
};

export function createApp(deps: Deps) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new Problem('bad-request', result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
      }
    },
  });

  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    const started = performance.now();
    await next();
    // Shutting down: every answer closes its connection, so kept-alive clients reconnect elsewhere or later.
    if (deps.runtime.draining) c.header('Connection', 'close');
    deps.log.log(c.res.status >= 500 ? 'error' : 'info', 'request', {
      requestId: c.var.requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });

  app.onError((err, c) => {
    const rid = c.var.requestId;
    const headers: Record<string, string> = rid ? { 'X-Request-Id': rid } : {};
    if (err instanceof Problem) return problemResponse(err, rid, retryAfter(err, headers));
    const fault = storageFaultOf(err);
    if (fault) {
      noteStorageFault(deps, fault);
      deps.log.log('error', 'storage fault', { requestId: rid, fault: fault.slug, error: String(err) });
      return problemResponse(faultProblem(fault), rid, { ...headers, 'Retry-After': String(fault.retryAfterSeconds) });
    }
    deps.log.log('error', 'unhandled', { requestId: rid, error: String(err), stack: (err as Error)?.stack });
    return new Response(JSON.stringify({ type: 'about:blank', title: '内部错误 (Internal error)', status: 500, detail: 'an internal error occurred; quote the request id', instance: rid }), {
      status: 500,
      headers: { 'content-type': 'application/problem+json', ...headers },
    });
  });
  app.notFound((c) => problemResponse(new Problem('not-found', `no route for ${c.req.method} ${c.req.path}`), c.var.requestId));

  mountHealth(app);
  mountDeliveries(app, deps.config.bodyLimitBytes);
  mountRouting(app);
  mountCases(app);
  mountDirectory(app);
  mountNotifications(app);
  mountSenders(app);
  mountAdvisers(app);
  mountAuth(app);
  mountFilings(app);
  mountSuggestions(app);
  mountDeadlines(app);
  mountStatistics(app);
  mountWeb(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token from POST /v1/oauth/token (or the bootstrap ADMIN_TOKEN with X-Actor naming the person acting). The role and scope of the client decide what it may see.',
  });

  app.doc31('/openapi.json', { openapi: '3.1.0', info: API_INFO });
  mountDocs(app, () => openApiDocument(app));
  return app;
}

/** A problem that says when to come back (faults, overload) carries it as Retry-After too. */
function retryAfter(p: Problem, headers: Record<string, string>): Record<string, string> {
  const s = p.extra.retryAfterSeconds;
  return typeof s === 'number' ? { ...headers, 'Retry-After': String(s) } : headers;
}

export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  return app.getOpenAPI31Document({ openapi: '3.1.0', info: API_INFO });
}

export type App = ReturnType<typeof createApp>;
