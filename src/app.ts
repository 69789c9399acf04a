/**
 * createApp(deps) → the Hono app. The one place where routes are mounted; entry points (adapters/node,
 * adapters/workers, tests) only build the deps.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import type { AppEnv, Deps } from './deps.js';
import { Problem } from './lib/problem.js';
import { renderError, renderNotFound } from './http/errors.js';
import { apiBodyLimit, bodyLimitOf } from './http/body-limit.js';
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
import { mountAudit } from './routes/audit/index.js';
import { mountWeb } from './web/index.js';
import { finishOpenApi } from './http/openapi.js';
import { observeDelivery, renderMetrics } from './lib/metrics.js';
import { requireRole } from './http/auth.js';
import { admission, bodyAdmission, isDraining } from './http/admission.js';
import { uploadDeadline } from './http/upload-deadline.js';

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
    if (isDraining(deps)) c.header('Connection', 'close');
    deps.log.log(c.res.status >= 500 ? 'error' : 'info', 'request', {
      requestId: c.var.requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });

  // Deliveries by outcome and problem type, and intake latency, for /metrics.
  app.use('/v1/deliveries', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const started = performance.now();
    await next();
    const status = c.res.status;
    let problem = '';
    if (status >= 400 && status < 500)
      problem = String(
        (
          (await c.res
            .clone()
            .json()
            .catch(() => ({}))) as { type?: string }
        ).type ?? '',
      ).replace(/^urn:fuyuan:problem:/, '');
    observeDelivery(
      deps,
      status === 201 ? 'accepted' : status < 300 ? 'repeated' : status < 500 ? 'refused' : 'failed',
      problem,
      (performance.now() - started) / 1000,
    );
  });

  // Admission, from the headers alone (src/http/admission.ts): a delivery holds a place among the deliveries in
  // flight, every other request with a body a place in the budget of request bodies; 503 or 429 past them. First,
  // so a refusal costs its headers only: nothing of its body is wrapped or read (a flood of refused requests cost
  // the event loop about 0.17 ms each in wrapping their bodies for the upload deadline below).
  const jsonLimit = deps.config.jsonBodyLimitBytes ?? 1024 * 1024;
  const deliveryAdmission = admission();
  app.use('/v1/deliveries', (c, next) => (c.req.method === 'POST' ? deliveryAdmission(c, next) : next()));
  app.use(
    '*',
    bodyAdmission(bodyLimitOf(jsonLimit), (path) => path === '/v1/deliveries'),
  );
  // Every body must keep arriving (src/http/upload-deadline.ts): 408 past its deadline, so a stalled upload holds
  // neither a delivery's admission slot nor a connection and its buffer for long. Inside the metrics above (they
  // count its 408) and the admission (the place is held until the body is in or its deadline has passed), outside the
  // body limits (a chunked body is read there).
  app.use('*', uploadDeadline());
  // Every endpoint but intake (its own limit, for attachments) and the pages (64 KiB forms) reads at most this much.
  app.use('*', apiBodyLimit(jsonLimit));

  app.onError(renderError(deps));
  app.notFound(renderNotFound);

  mountHealth(app);
  mountAudit(app);
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
  // A person who opens the bare address lands on the pages (which ask them to sign in).
  app.get('/', (c) => c.redirect('/web', 302));

  // Renamed clientToken in the published document (src/http/openapi.ts), which the routes keep declaring.
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "Any client's access token from POST /v1/oauth/token (or the bootstrap ADMIN_TOKEN with X-Actor naming the person acting). The client's role and scope decide what it may call and see.",
  });

  app.get('/metrics', requireRole('admin'), async (c) =>
    c.body(await renderMetrics(deps, deps.clock.now()), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' }),
  );
  let published: unknown;
  app.get('/openapi.json', (c) => c.json((published ??= openApiDocument(app, deps.config.publicUrl)) as Record<string, unknown>));
  mountDocs(app);
  return app;
}

export function openApiDocument(app: OpenAPIHono<AppEnv>, serverUrl?: string) {
  return finishOpenApi(app.getOpenAPI31Document({ openapi: '3.1.0', info: API_INFO }), serverUrl ? { serverUrl } : {});
}

export type App = ReturnType<typeof createApp>;
