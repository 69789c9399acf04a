/**
 * Pages for people (issue 9 item 5), rendered on the server with hono/jsx, in Chinese, without a front-end
 * build or any client script: sign-in, the home page, the deadline board, the justice bureau's routing queue,
 * a case with its timeline, and the region overview with SVG charts. Every page enforces the same rights as
 * the API (the same services and the same access checks); a problem renders as a Chinese error page.
 */
import { Hono, type Context } from 'hono';
import { csrf } from 'hono/csrf';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../deps.js';
import { PROBLEMS, Problem } from '../lib/problem.js';
import { problemHeaders, toProblem } from '../http/problem.js';
import { issueToken, type Principal } from '../services/clients.js';
import { assertCaseAccess } from '../services/access.js';
import { caseView } from '../services/assignments.js';
import { assignQueueItem } from '../services/queue-items.js';
import { beijingDate } from '../domain/calendar/index.js';
import { ErrorPage } from './layout.js';
import { formOf, html, page, scopeLabel, str, strs } from './render.js';
import { mountWorkbench } from './workbench.js';
import { UPLOAD_STEPS } from './step-forms.js';
import { endSession, personOf, requireSession, safeNext, startSession, type WebEnv } from './session.js';
import { board, boardScope, names, queueFor, queueRegion, recentDecisions } from './data.js';
import { LoginPage } from './pages/login.js';
import { listFilings } from '../services/filings.js';
import { listSuggestions } from '../services/suggestions.js';
import { suggestionTodo } from './pages/suggestions.js';
import { HomePage, type HomeCounts } from './pages/home.js';
import { BoardPage } from './pages/board.js';
import { QueuePage } from './pages/queue.js';
import { OverviewPage } from './pages/overview.js';
import { figureHref, overviewFigures, overviewRegions } from './overview-data.js';
import { FigurePage, periodZh } from './pages/figure.js';
import { drillDown } from '../services/statistics.js';
import { FIGURES, FIGURE_IDS, type FigureId } from '../domain/statistics/index.js';
import { setPageSecurityHeaders } from '../http/security-headers.js';
import { PAGE_FORM_LIMIT_BYTES, PAGE_UPLOAD_LIMIT_BYTES } from '../http/body-limit.js';
import { WORKBENCH_JS, WORKBENCH_JS_PATH } from './assets/workbench.js';
import { sourceAddress, throttledSignIn } from '../http/throttle.js';

/** A friendly sentence for each kind of problem; the service's own detail follows in small print. */
const PROBLEM_HINT_ZH: Partial<Record<keyof typeof PROBLEMS, string>> = {
  'not-found': '您要查看的内容不存在，或不在您的权限范围内。',
  forbidden: '您的账号无权查看或办理此项内容。',
  'bad-request': '提交的内容不符合要求，请返回修改后重新提交。',
  conflict: '该事项已被他人处理或状态已发生变化，请刷新后查看。',
  unauthorized: '登录已失效，请重新登录。',
  'payload-too-large': '提交的内容过长，请缩短后重试。',
  'too-many-requests': '尝试次数过多，请稍后再试。',
};

function renderError(err: Error, c: Context<WebEnv>) {
  const rid = c.var.requestId;
  const principal = c.var.principal as Principal | undefined;
  const person = c.var.person as string | undefined;
  const path = c.req.path;
  const item = /^\/web\/(cases|filings|suggestions)\/([^/]+)/.exec(path);
  const back = path.startsWith('/web/queue')
    ? '/web/queue'
    : path.startsWith('/web/reports')
      ? '/web/reports'
      : item && c.req.method === 'POST'
        ? `/web/${item[1]}/${item[2]}`
        : undefined;
  const problemPage = (problem: Problem) =>
    html(
      c,
      <ErrorPage
        status={problem.status}
        titleZh={PROBLEMS[problem.slug].zh}
        hint={PROBLEM_HINT_ZH[problem.slug]}
        detail={problem.message}
        code={problem.slug}
        requestId={rid}
        principal={principal}
        person={person}
        signIn={problem.status === 401}
        back={back}
      />,
      problem.status as 400,
    );
  if (err instanceof Problem) return problemPage(err);
  if (err instanceof HTTPException && err.status === 403) {
    // hono/csrf: a form posted from another site (or without Origin / Sec-Fetch-Site).
    return html(
      c,
      <ErrorPage
        status={403}
        titleZh="请求来源校验失败"
        hint="只能从本系统的页面提交表单；跨站提交已被拒绝。"
        detail="CSRF check failed: Origin / Sec-Fetch-Site is not this site"
        code="csrf"
        requestId={rid}
        principal={principal}
        person={person}
      />,
      403,
    );
  }
  const problem = toProblem(err, { contentType: c.req.header('content-type') });
  if (problem) {
    for (const [k, v] of Object.entries(problemHeaders(problem))) c.header(k, v);
    return problemPage(problem);
  }
  c.var.deps.log.log('error', 'unhandled', { requestId: rid, error: String(err), stack: err.stack });
  return html(
    c,
    <ErrorPage
      status={500}
      titleZh="系统内部错误"
      hint="请稍后重试；如问题持续，请联系管理员并提供请求编号。"
      detail="an internal error occurred"
      requestId={rid}
      principal={principal}
      person={person}
    />,
    500,
  );
}

export function createWeb() {
  const web = new Hono<WebEnv>();

  web.use('*', async (c, next) => {
    await next();
    setPageSecurityHeaders(c.res.headers);
    // The script's name carries its content hash: it may be kept (and it holds no personal data).
    if (c.req.path === WORKBENCH_JS_PATH && c.res.status === 200) c.res.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
  });
  // Forms: the session cookie is SameSite=Strict, and every POST must come from these pages (Origin or Sec-Fetch-Site).
  web.use('*', csrf());
  const formLimit = bodyLimit({
    maxSize: PAGE_FORM_LIMIT_BYTES,
    onError: () => {
      throw new Problem('payload-too-large', 'a form of these pages is at most 64 KiB');
    },
  });
  // A reply draft or a defence draft carries its attachments (multipart): up to 8 MiB in all.
  const uploadLimit = bodyLimit({
    maxSize: PAGE_UPLOAD_LIMIT_BYTES,
    onError: () => {
      throw new Problem('payload-too-large', 'a reply draft with its attachments is at most 8 MiB');
    },
  });
  const upload = (path: string) =>
    /^\/web\/suggestions\/[^/]+\/draft$/.test(path) || UPLOAD_STEPS.some((k) => path.startsWith('/web/cases/') && path.endsWith(`/steps/${k}`));
  web.use('*', (c, next) => (upload(c.req.path) ? uploadLimit(c, next) : formLimit(c, next)));
  web.onError(renderError);

  // The pages' one script (progress for uploads and exports), from this origin, before any sign-in.
  web.get('/assets/:name', (c) => {
    if (c.req.path !== WORKBENCH_JS_PATH) throw new Problem('not-found', 'no such asset');
    return c.body(WORKBENCH_JS, 200, { 'content-type': 'text/javascript; charset=utf-8' });
  });

  web.get('/login', (c) =>
    html(c, <LoginPage next={safeNext(c.req.query('next'))} expired={c.req.query('expired') === '1'} signedOut={c.req.query('signed_out') === '1'} />),
  );

  web.post('/login', async (c) => {
    const form = await formOf(c);
    const clientId = str(form.client_id).trim();
    const person = personOf(str(form.person));
    const next = safeNext(str(form.next));
    let tok: Awaited<ReturnType<typeof issueToken>>;
    try {
      const attempt = { clientId: clientId.slice(0, 200) || undefined, address: sourceAddress(c.env, (n) => c.req.header(n)) };
      tok = await throttledSignIn(c.var.deps, attempt, () =>
        issueToken(c.var.deps, { grant_type: 'client_credentials', client_id: clientId, client_secret: str(form.client_secret) }),
      );
    } catch (e) {
      if (e instanceof Problem && e.slug === 'too-many-requests') {
        for (const [k, v] of Object.entries(problemHeaders(e))) c.header(k, v);
        return html(
          c,
          <LoginPage
            next={next}
            error={`登录失败次数过多，请 ${Math.ceil(Number(e.extra.retryAfterSeconds) / 60)} 分钟后再试。`}
            clientId={clientId}
            person={person}
          />,
          429,
        );
      }
      if (e instanceof Problem && e.slug === 'invalid-client') {
        const why = /revoked/.test(e.message) ? '该账号已被停用，请联系管理员。' : '账号或密钥不正确。';
        return html(c, <LoginPage next={next} error={why} clientId={clientId} person={person} />, 401);
      }
      throw e;
    }
    startSession(c, tok.access_token, tok.expires_in, person);
    return c.redirect(next, 303);
  });

  web.post('/logout', (c) => {
    endSession(c);
    return c.redirect('/web/login?signed_out=1', 303);
  });

  // Everything else needs a signed-in client, verified on every request.
  web.use('*', async (c, next) => (c.req.path === '/web/login' ? next() : requireSession(c, next)));

  web.get('/', async (c) => {
    const p = c.var.principal;
    const deps = c.var.deps;
    const counts: HomeCounts = {};
    if (p.role === 'justice_bureau' || p.role === 'admin') counts.queue = (await queueFor(deps, p, undefined, 500)).length;
    if (p.role === 'justice_bureau' || p.role === 'admin') {
      counts.filings =
        (await listFilings(deps, p, { status: 'new', limit: 200 })).items.length +
        (await listFilings(deps, p, { status: 'retrieved', limit: 200 })).items.length;
    }
    if (p.role === 'unit') counts.filings = (await listFilings(deps, p, { status: 'new', limit: 200 })).items.length;
    if (p.role === 'unit' || p.role === 'justice_bureau' || p.role === 'government_office' || p.role === 'admin') {
      counts.suggestions = (await listSuggestions(deps, p, { limit: 500 })).filter((s) => suggestionTodo(p, s.status)).length;
    }
    if (p.role === 'unit' || p.role === 'justice_bureau' || p.role === 'government_office' || p.role === 'admin') {
      const b = await board(deps, boardScope(p));
      Object.assign(counts, { overdue: b.overdue.length, dueThisWeek: b.dueThisWeek.length, remediation: b.remediation.length });
    }
    return page(
      c,
      '首页',
      '/web',
      <HomePage p={p} person={c.var.person} scopeLabel={await scopeLabel(c, p)} counts={counts} today={beijingDate(deps.clock.now())} />,
    );
  });

  web.get('/board', async (c) => {
    const p = c.var.principal;
    const region = c.req.query('region') || undefined;
    const scope = boardScope(p, region);
    const n = await names(c.var.deps);
    const regions = p.role === 'admin' ? n.index.regionCodes().map((code) => ({ code, name: n.region(code) })) : undefined;
    const label = p.role === 'admin' ? (scope.regionCode ? n.region(scope.regionCode) : '全部区域') : await scopeLabel(c, p);
    return page(c, '时限看板', '/web/board', <BoardPage b={await board(c.var.deps, scope)} n={n} scopeLabel={label} regions={regions} region={region} />);
  });

  web.get('/queue', async (c) => {
    const p = c.var.principal;
    const deps = c.var.deps;
    const region = c.req.query('region') || undefined;
    const items = await queueFor(deps, p, region);
    const recent = await recentDecisions(deps, p, region);
    const n = await names(deps);
    let flash: { caseId: string; caseNumber: string; units: { unitName: string; role: string }[] } | undefined;
    const assigned = c.req.query('assigned');
    if (assigned) {
      await assertCaseAccess(deps, p, assigned);
      const v = await caseView(deps, assigned);
      flash = { caseId: v.id, caseNumber: v.caseNumber, units: v.assignments.map((a) => ({ unitName: a.unitName, role: a.role })) };
    }
    const r = queueRegion(p, region);
    const unitsFor = (item: (typeof items)[number]) =>
      [...new Set([item.regionCode, ...item.candidateRegions].filter((x): x is string => !!x))].flatMap((code) => n.activeUnits(code));
    return page(
      c,
      '待分办',
      '/web/queue',
      <QueuePage
        items={items}
        recent={recent}
        unitsFor={unitsFor}
        regionName={n.region}
        flash={flash}
        scopeLabel={r ? n.region(r) : '全部区域'}
        now={deps.clock.now().getTime()}
      />,
    );
  });

  web.post('/queue/:id/assign', async (c) => {
    const p = c.var.principal;
    if (p.role !== 'justice_bureau' && p.role !== 'admin') throw new Problem('forbidden', 'this needs the role justice_bureau or admin');
    const form = await formOf(c, { all: true });
    const lead = str(form.lead_other).trim() || str(form.lead).trim();
    const reason = str(form.reason).trim();
    const cooperating = [
      ...new Set(
        strs(form.cooperating)
          .map((s) => s.trim())
          .filter((u) => u && u !== lead),
      ),
    ];
    // The same rule as the API (services/queue-items.ts): another region's item is refused (403) before the form is read.
    const check = (): void => {
      if (!lead) throw new Problem('bad-request', '请选择主办单位');
      if (!reason) throw new Problem('bad-request', '请填写分办理由');
      if (reason.length > 1000) throw new Problem('bad-request', '分办理由不能超过 1000 字');
    };
    const { caseId } = await assignQueueItem(
      c.var.deps,
      p,
      c.req.param('id'),
      { assignments: [{ unitId: lead, role: 'lead' }, ...cooperating.map((unitId) => ({ unitId, role: 'cooperating' as const }))], reason },
      c.var.actor,
      check,
    );
    return c.redirect(`/web/queue?assigned=${encodeURIComponent(caseId)}`, 303);
  });

  web.get('/overview', async (c) => {
    const p = c.var.principal;
    const deps = c.var.deps;
    const regions = await overviewRegions(deps, p);
    if (regions.length === 0) throw new Problem('forbidden', 'this client may not see the statistics of any region');
    const region = c.req.query('region') || regions[0]!.code;
    if (!regions.some((r) => r.code === region)) throw new Problem('forbidden', `outside the regions this client may see (${region})`);
    const thisYear = Number(beijingDate(deps.clock.now()).slice(0, 4));
    const yq = c.req.query('year');
    const year = yq && /^\d{4}$/.test(yq) ? Number(yq) : thisYear;
    if (year < 2000 || year > thisYear + 1) throw new Problem('bad-request', `year ${year} is out of range`);
    const years = Array.from({ length: 5 }, (_, i) => thisYear - i);
    const f = await overviewFigures(deps, p, region, year);
    return page(c, '区域概况', '/web/overview', <OverviewPage f={f} regions={regions} years={years.includes(year) ? years : [year, ...years]} />);
  });

  // 统计口径下钻: the items behind one figure, through the same service (and the same scope check) as the API.
  web.get('/overview/figures/:figure', async (c) => {
    const p = c.var.principal;
    const deps = c.var.deps;
    const figure = c.req.param('figure');
    if (!(FIGURE_IDS as readonly string[]).includes(figure)) throw new Problem('not-found', `no figure ${figure}`);
    const regions = await overviewRegions(deps, p);
    const region = c.req.query('region') ?? '';
    // Another region's figures are refused before anything is counted (a tampered URL gets a page with no data).
    if (!regions.some((r) => r.code === region)) throw new Problem('forbidden', 'outside the regions this client may see');
    const n = await names(deps);
    const unit = c.req.query('unit') || undefined;
    if (unit && n.index.unit(unit)?.regionCode !== region) throw new Problem('not-found', 'no such unit in this region');
    const period = c.req.query('period') ?? '';
    const part = c.req.query('part') === 'numerator' ? 'numerator' : 'denominator';
    const r = await drillDown(deps, p, figure, { period, regions: [region], ...(unit ? { unit } : {}), part });
    const f = r.figure;
    const def = FIGURES[figure as FigureId];
    const href = (part2: string) => figureHref(figure, region, r.period.label, unit, part2 === 'numerator' ? 'numerator' : undefined);
    // A liaison or court reads case numbers only (the service gives it no more).
    const figuresOnly = p.role === 'liaison' || p.role === 'court';
    return page(
      c,
      `${def.name.zh} · 下钻`,
      '/web/overview',
      <FigurePage
        d={{
          figureId: figure,
          nameZh: def.name.zh,
          kind: def.kind === 'rate' ? 'rate' : 'count',
          numeratorZh: def.numerator.zh,
          denominatorZh: def.denominator?.zh ?? null,
          definitionZh: def.definition.zh,
          source: def.source,
          counts: def.unit,
          numerator: f.numerator,
          denominator: f.denominator,
          rate: f.rate,
          regionName: n.region(region),
          periodZh: periodZh(r.period.label),
          unitName: unit ? n.unit(unit) : undefined,
          part,
          figuresOnly,
          rows: r.items.map((i) => ({
            caseNumber: i.caseNumber,
            regionName: n.region(i.regionCode),
            inNumerator: i.inNumerator,
            ...('caseId' in i && !figuresOnly ? { unitName: n.unit(i.unitId), href: i.caseId ? `/web/cases/${encodeURIComponent(i.caseId)}` : undefined } : {}),
          })),
          back: `/web/overview?region=${encodeURIComponent(region)}&year=${r.period.from.slice(0, 4)}`,
          allHref: href('denominator'),
          numeratorHref: href('numerator'),
        }}
      />,
    );
  });

  mountWorkbench(web);

  web.get('/*', (c) => {
    if (c.req.path === '/web/') return c.redirect('/web', 301);
    throw new Problem('not-found', `no page ${c.req.path}`);
  });
  web.all('/*', () => {
    throw new Problem('not-found', 'no such page');
  });
  return web;
}

/** Mount the pages under /web. */
export function mountWeb(app: Hono<AppEnv>) {
  app.route('/web', createWeb() as unknown as Hono<AppEnv>);
}
