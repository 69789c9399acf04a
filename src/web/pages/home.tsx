/** 首页: what needs attention now, for the signed-in role. */
import type { FC } from 'hono/jsx';
import type { Principal } from '../../services/clients.js';
import { ROLE_ZH } from '../labels.js';

export interface HomeCounts {
  queue?: number;
  overdue?: number;
  dueThisWeek?: number;
  remediation?: number;
}

const Card: FC<{ href: string; label: string; n: number; warn?: boolean; testid: string }> = ({ href, label, n, warn, testid }) => (
  <div class="card">
    <a href={href}>
      <div class="muted">{label}</div>
      <div class={`num ${warn && n > 0 ? 'warn' : ''}`} data-testid={testid}>
        {n}
      </div>
    </a>
  </div>
);

export const HomePage: FC<{ p: Principal; person: string; scopeLabel: string; counts: HomeCounts; today: string }> = ({ p, person, scopeLabel, counts, today }) => (
  <>
    <h1>
      您好，{person || p.name}
    </h1>
    <p class="muted">
      {ROLE_ZH[p.role]} · {scopeLabel} · 今天 {today}
    </p>
    <div class="cards">
      {counts.queue !== undefined ? <Card href="/web/queue" label="待分办文书" n={counts.queue} warn testid="home-queue" /> : null}
      {counts.overdue !== undefined ? <Card href="/web/board#overdue" label="已逾期事项" n={counts.overdue} warn testid="home-overdue" /> : null}
      {counts.dueThisWeek !== undefined ? <Card href="/web/board#this-week" label="本周到期" n={counts.dueThisWeek} testid="home-this-week" /> : null}
      {counts.remediation !== undefined ? <Card href="/web/board#remediation" label="整改事项" n={counts.remediation} warn testid="home-remediation" /> : null}
    </div>
    {p.role === 'court' || p.role === 'procuratorate' ? (
      <p class="empty">法院、检察院通过接口推送文书并获取送达证据（/v1/evidence），本系统页面不向其展示政府内部办理情况。</p>
    ) : null}
    {p.role === 'admin' || p.role === 'justice_bureau' || p.role === 'government_office' || p.role === 'liaison' ? (
      <p>
        <a href="/web/overview">查看区域概况（发案、败诉率、出庭率、按时率）→</a>
      </p>
    ) : null}
  </>
);
