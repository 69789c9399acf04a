/** The frame of every page: header with who is signed in, the navigation their role may use, sign-out. */
import type { Child, FC } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Principal } from '../services/clients.js';
import { ROLE_ZH } from './labels.js';
import { WORKBENCH_JS_PATH } from './assets/workbench.js';

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:"PingFang SC","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","WenQuanYi Micro Hei",system-ui,sans-serif;color:#1d2733;background:#f5f7fa;font-size:15px;line-height:1.55;overflow-wrap:anywhere}
a{color:#174f8c}
header.top{background:#7a1d1d;color:#fff;padding:10px 24px;display:flex;align-items:center;gap:12px 24px;flex-wrap:wrap}
header.top a{color:#fff}
header.top .brand{font-weight:700;font-size:18px;letter-spacing:1px}
header.top .brand small{font-weight:400;margin-left:6px;font-size:13px}
header.top nav{display:flex;gap:4px;flex:1;flex-wrap:wrap}
header.top nav a{text-decoration:none;padding:4px 10px;border-radius:4px}
header.top nav a[aria-current=page],header.top nav a:hover,header.top nav a:focus{background:rgba(255,255,255,.2)}
header.top .who{font-size:13px;display:flex;align-items:center;gap:10px;flex-wrap:wrap}
header.top .who button{background:transparent;border:1px solid #fff;color:#fff;border-radius:4px;padding:2px 10px;cursor:pointer;font:inherit}
main{max-width:1180px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:22px;margin:4px 0 16px}
h2{font-size:17px;margin:28px 0 10px;border-left:4px solid #7a1d1d;padding-left:8px}
h3{font-size:16px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde2e8}
th,td{padding:7px 10px;border-bottom:1px solid #e8ebef;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600;font-size:14px}
.card{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:14px 16px;margin:0 0 14px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:12px;margin-bottom:12px}
.cards .card a{text-decoration:none;color:inherit;display:block}
.cards .num{font-size:30px;font-weight:700}
.cards .num.warn{color:#b02a1f}
.muted{color:#545d68}
.small{font-size:13px}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;color:#3d4752}
.empty{color:#545d68;background:#fff;border:1px dashed #cfd5dc;border-radius:6px;padding:12px 16px}
.flash{background:#e8f5e9;border:1px solid #a5d6a7;padding:10px 14px;border-radius:6px;margin-bottom:14px}
.flash.error{background:#fdecea;border-color:#f5b7b1}
.tag{display:inline-block;font-size:13px;padding:0 6px;border-radius:3px;background:#eef1f5;border:1px solid #d7dde4;margin-right:4px}
.tag.overdue{background:#fdecea;border-color:#f5b7b1;color:#8f1a11}
.tag.lead{background:#fff4e0;border-color:#f0c36d}
.tag.ok{background:#e8f5e9;border-color:#a5d6a7;color:#1b5e20}
.tag.provisional{background:#fffbe6;border-color:#f2df8c}
form.act fieldset,form.assign fieldset{border:1px solid #dde2e8;border-radius:6px;margin:10px 0;padding:8px 12px;min-width:0}
form.act label,form.assign label{display:block;margin:8px 0}
form.act label.inline{display:inline-block;margin-right:16px}
form.act textarea,form.act select,form.act input[type=text],form.act input[type=date],form.assign textarea,form.assign select{display:block;margin-top:4px}
textarea,input[type=text],input[type=password],input[type=date],input[type=month],input[type=search],select{font:inherit;padding:6px 8px;border:1px solid #8a939d;border-radius:4px;width:100%;max-width:520px;background:#fff;color:#1d2733}
input[type=file]{font:inherit;max-width:100%}
button,a.button{font:inherit;cursor:pointer;border-radius:4px;padding:6px 16px;border:1px solid #7a1d1d;background:#fff;color:#7a1d1d;text-decoration:none;display:inline-block}
button.primary,a.button.primary{background:#7a1d1d;color:#fff}
:focus-visible{outline:3px solid #1f5fa8;outline-offset:2px}
details.form{background:#fff;border:1px solid #dde2e8;border-radius:6px;margin:0 0 10px;padding:8px 14px}
details.form summary{cursor:pointer;font-weight:600;color:#174f8c}
ol.timeline{list-style:none;padding:0;margin:0;border-left:3px solid #d7dde4}
ol.timeline li{position:relative;margin:0 0 12px 0;padding:2px 0 2px 18px}
ol.timeline li::before{content:"";position:absolute;left:-8px;top:8px;width:11px;height:11px;border-radius:50%;background:#7a1d1d;border:2px solid #fff}
ol.timeline time{font-variant-numeric:tabular-nums;color:#3d4752;margin-right:8px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:14px}
svg.chart{display:block;width:100%;height:auto}
.hbars{list-style:none;margin:0;padding:0}
.hbars li{display:grid;grid-template-columns:minmax(0,14em) minmax(60px,1fr) auto;gap:4px 10px;align-items:center;margin:6px 0}
.hbars .label{font-size:14px}
.hbars .track{background:#eef1f5;height:18px;border-radius:2px;overflow:hidden}
.hbars .fill{display:block;height:100%}
.hbars .val{font-size:14px;font-variant-numeric:tabular-nums;white-space:nowrap}
.login{max-width:420px;margin:60px auto}
.login label{display:block;margin:12px 0 4px}
.filters{display:flex;gap:10px;align-items:end;flex-wrap:wrap;margin-bottom:8px}
.filters label{font-size:14px}
.filters select,.filters input{width:auto;max-width:100%}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{color:#545d68}
dl.facts dd{margin:0}
.progress{display:block;width:100%;max-width:520px;height:18px;margin-top:4px}
.upload-progress{margin:8px 0}
.busy-status{margin:6px 0}
.cards a.num{display:block;text-decoration:none;color:inherit}
.cards a.num:hover,.cards a.num:focus{text-decoration:underline}
ul.months{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;padding:0;margin:8px 0 0;font-size:14px}
@media (max-width:640px){
  header.top{padding:8px 12px}
  main{padding:14px 12px 40px}
  table.rt,table.rt tbody,table.rt tr,table.rt td{display:block;width:100%}
  table.rt thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
  table.rt tr{border-bottom:2px solid #dde2e8;padding:6px 0}
  table.rt td{border:0;padding:3px 10px}
  table.rt td[data-label]::before{content:attr(data-label) "：";color:#545d68;font-size:13px}
  dl.facts{grid-template-columns:1fr}
  dl.facts dd{margin-bottom:6px}
  .hbars li{grid-template-columns:1fr auto}
  .hbars .label{grid-column:1 / -1}
}
@media print{header.top,form,details.form{display:none}}
`;

export interface NavItem {
  href: string;
  label: string;
}

/** Navigation by role: only what the role may open. */
export function navFor(p: Principal): NavItem[] {
  const r = p.role;
  const gov = r === 'admin' || r === 'justice_bureau' || r === 'government_office' || r === 'unit';
  const items: NavItem[] = [{ href: '/web', label: '首页' }];
  if (r === 'admin' || r === 'justice_bureau' || r === 'unit') items.push({ href: '/web/filings', label: r === 'unit' ? '收文' : '收文签收' });
  if (r === 'admin' || r === 'justice_bureau') items.push({ href: '/web/queue', label: '待分办' });
  if (gov) items.push({ href: '/web/cases', label: '案件' });
  if (gov) items.push({ href: '/web/board', label: '时限看板' });
  if (gov) items.push({ href: '/web/suggestions', label: '建议答复' });
  if (gov) items.push({ href: '/web/advisers', label: '法律顾问' });
  const stats = r === 'admin' || r === 'justice_bureau' || r === 'government_office' || r === 'liaison' || r === 'court';
  if (stats) items.push({ href: '/web/reports', label: r === 'liaison' || r === 'court' ? '会议材料' : '台账与报告' });
  if (stats) items.push({ href: '/web/overview', label: '区域概况' });
  return items;
}

/** The favicon: a small seal (印) in the header's colour, inline so the page loads nothing else. */
export const FAVICON = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#7a1d1d"/><text x="16" y="23" font-size="19" text-anchor="middle" fill="#fff" font-family="sans-serif">府</text></svg>')}`;

export const Page: FC<{
  title: string;
  principal?: Principal | undefined;
  person?: string | undefined;
  scope?: string | undefined;
  current?: string;
  children?: Child;
}> = ({ title, principal, person, scope, current, children }) => (
  <html lang="zh-CN">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · 府院通`}</title>
      <link rel="icon" type="image/svg+xml" href={FAVICON} />
      {/* Raw: the CSS holds quotes, which text children would escape (and CSS does not unescape). */}
      <style>{raw(CSS)}</style>
      {/* Progress for uploads and exports; every page works without it. */}
      <script src={WORKBENCH_JS_PATH} defer></script>
    </head>
    <body>
      <header class="top">
        <div class="brand">
          府院通<small>行政应诉协同</small>
        </div>
        {principal ? (
          <nav aria-label="主导航">
            {navFor(principal).map((n) => (
              <a href={n.href} aria-current={current === n.href ? 'page' : undefined}>
                {n.label}
              </a>
            ))}
          </nav>
        ) : (
          <span />
        )}
        {principal ? (
          <div class="who">
            <span data-testid="who">
              {principal.name}
              {person ? ` · ${person}` : ''} <small>{`（${ROLE_ZH[principal.role]}${scope ? ` · ${scope}` : ''}）`}</small>
            </span>
            <form method="post" action="/web/logout">
              <button type="submit">退出</button>
            </form>
          </div>
        ) : null}
      </header>
      <main>{children}</main>
    </body>
  </html>
);

export const ErrorPage: FC<{
  status: number;
  titleZh: string;
  hint?: string | undefined;
  detail: string;
  code?: string;
  requestId?: string | undefined;
  principal?: Principal | undefined;
  person?: string | undefined;
  signIn?: boolean;
  back?: string | undefined;
}> = ({ status, titleZh, hint, detail, code, requestId, principal, person, signIn, back }) => (
  <Page title={titleZh} principal={principal} person={person}>
    <div class="card" role="alert" data-testid="error">
      <h1>{titleZh}</h1>
      {hint ? <p data-testid="error-hint">{hint}</p> : null}
      {/^[\u3400-\u9fff（“]/.test(detail) ? <p data-testid="error-reason">{detail}</p> : null}
      <details>
        <summary>技术信息（联系管理员时请提供）</summary>
        <p class="code">
          {`HTTP ${status}${code ? ` · ${code}` : ''}`}
          <br />
          <span data-testid="error-detail">{detail}</span>
          {requestId ? (
            <>
              <br />
              {`请求编号 ${requestId}`}
            </>
          ) : null}
        </p>
      </details>
      <p>{signIn ? <a href="/web/login">重新登录</a> : back ? <a href={back}>返回</a> : <a href="/web">返回首页</a>}</p>
    </div>
  </Page>
);
