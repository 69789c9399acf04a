/** The frame of every page: header with who is signed in, the navigation their role may use, sign-out. */
import type { Child, FC } from 'hono/jsx';
import type { Principal } from '../services/clients.js';
import { ROLE_ZH } from './labels.js';

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:"PingFang SC","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","WenQuanYi Micro Hei",system-ui,sans-serif;color:#1d2733;background:#f5f7fa;font-size:15px;line-height:1.55}
header.top{background:#7a1d1d;color:#fff;padding:10px 24px;display:flex;align-items:center;gap:24px;flex-wrap:wrap}
header.top .brand{font-weight:700;font-size:18px;letter-spacing:1px}
header.top .brand small{font-weight:400;opacity:.8;margin-left:6px}
header.top nav{display:flex;gap:4px;flex:1;flex-wrap:wrap}
header.top nav a{color:#fff;text-decoration:none;padding:4px 10px;border-radius:4px}
header.top nav a[aria-current=page],header.top nav a:hover{background:rgba(255,255,255,.18)}
header.top .who{font-size:13px;display:flex;align-items:center;gap:10px}
header.top .who button{background:transparent;border:1px solid rgba(255,255,255,.6);color:#fff;border-radius:4px;padding:2px 10px;cursor:pointer}
main{max-width:1120px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:22px;margin:4px 0 16px}
h2{font-size:17px;margin:28px 0 10px;border-left:4px solid #7a1d1d;padding-left:8px}
small.code,.code{font-size:11px;color:#6b7480;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-weight:400}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde2e8}
th,td{padding:7px 10px;border-bottom:1px solid #e8ebef;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600;font-size:14px}
.card{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:14px 16px;margin:0 0 14px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px;margin-bottom:12px}
.cards .card a{text-decoration:none;color:inherit;display:block}
.cards .num{font-size:30px;font-weight:700}
.cards .num.warn{color:#b02a1f}
.muted{color:#6b7480}
.empty{color:#6b7480;background:#fff;border:1px dashed #cfd5dc;border-radius:6px;padding:12px 16px}
.flash{background:#e8f5e9;border:1px solid #a5d6a7;padding:10px 14px;border-radius:6px;margin-bottom:14px}
.flash.error{background:#fdecea;border-color:#f5b7b1}
.tag{display:inline-block;font-size:12px;padding:0 6px;border-radius:3px;background:#eef1f5;border:1px solid #d7dde4;margin-right:4px;white-space:nowrap}
.tag.overdue{background:#fdecea;border-color:#f5b7b1;color:#9b1c12}
.tag.lead{background:#fff4e0;border-color:#f0c36d}
.tag.provisional{background:#fffbe6;border-color:#f2df8c}
form.assign fieldset{border:1px solid #dde2e8;border-radius:6px;margin:10px 0;padding:8px 12px}
form.assign label{display:block;margin:8px 0}
form.assign textarea,form.assign select{display:block;margin-top:4px}
textarea,input[type=text],input[type=password],select{font:inherit;padding:6px 8px;border:1px solid #b9c1ca;border-radius:4px;width:100%;max-width:520px;background:#fff}
button.primary,a.button{background:#7a1d1d;color:#fff;border:0;border-radius:4px;padding:7px 18px;font:inherit;cursor:pointer;text-decoration:none;display:inline-block}
ol.timeline{list-style:none;padding:0;margin:0;border-left:3px solid #d7dde4}
ol.timeline li{position:relative;margin:0 0 12px 0;padding:2px 0 2px 18px}
ol.timeline li::before{content:"";position:absolute;left:-8px;top:8px;width:11px;height:11px;border-radius:50%;background:#7a1d1d;border:2px solid #fff}
ol.timeline time{font-variant-numeric:tabular-nums;color:#3d4752;margin-right:8px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:14px}
svg.chart{display:block;max-width:100%;height:auto}
.login{max-width:420px;margin:60px auto}
.login label{display:block;margin:12px 0 4px}
.filters{display:flex;gap:10px;align-items:end;flex-wrap:wrap;margin-bottom:8px}
.filters label{font-size:13px}
.filters select,.filters input{width:auto}
`;

export interface NavItem {
  href: string;
  label: string;
}

/** Navigation by role: only what the role may open. */
export function navFor(p: Principal): NavItem[] {
  const items: NavItem[] = [{ href: '/web', label: '首页' }];
  if (p.role === 'admin' || p.role === 'justice_bureau' || p.role === 'government_office' || p.role === 'unit') items.push({ href: '/web/board', label: '时限看板' });
  if (p.role === 'admin' || p.role === 'justice_bureau') items.push({ href: '/web/queue', label: '待分办' });
  if (p.role === 'admin' || p.role === 'justice_bureau' || p.role === 'government_office' || p.role === 'liaison') items.push({ href: '/web/overview', label: '区域概况' });
  return items;
}

export const Page: FC<{ title: string; principal?: Principal | undefined; person?: string | undefined; current?: string; children?: Child }> = ({ title, principal, person, current, children }) => (
  <html lang="zh-CN">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · 府院通`}</title>
      <style>{CSS}</style>
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
          <nav />
        )}
        {principal ? (
          <div class="who">
            <span data-testid="who">
              {principal.name}
              {person ? ` · ${person}` : ''} <small class="code">{`${ROLE_ZH[principal.role]} ${principal.role}:${principal.scope}`}</small>
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
      <h1>
        {titleZh} <small class="code">{`${status}${code ? ` ${code}` : ''}`}</small>
      </h1>
      {hint ? <p data-testid="error-hint">{hint}</p> : null}
      <p>
        <small class="code" data-testid="error-detail">
          {detail}
        </small>
      </p>
      {requestId ? (
        <p class="muted">
          请求编号 <span class="code">{requestId}</span>（联系管理员时请提供）
        </p>
      ) : null}
      <p>{signIn ? <a href="/web/login">重新登录</a> : back ? <a href={back}>返回</a> : <a href="/web">返回首页</a>}</p>
    </div>
  </Page>
);
