/** 首页: what needs attention now, for the signed-in role. */
import type { FC } from 'hono/jsx';
import type { Principal } from '../../services/clients.js';
import { ROLE_ZH } from '../labels.js';

export interface HomeCounts {
  queue?: number;
  /** Filings not yet confirmed (bureau) or not yet opened (unit). */
  filings?: number;
  /** Suggestions waiting for this role's step. */
  suggestions?: number;
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

export const HomePage: FC<{ p: Principal; person: string; scopeLabel: string; counts: HomeCounts; today: string }> = ({
  p,
  person,
  scopeLabel,
  counts,
  today,
}) => (
  <>
    <h1>您好，{person || p.name}</h1>
    <p class="muted">
      {ROLE_ZH[p.role]} · {scopeLabel} · 今天 {today}
    </p>
    <div class="cards">
      {counts.filings !== undefined ? (
        <Card
          href={p.role === 'unit' ? '/web/filings?status=new' : '/web/filings'}
          label={p.role === 'unit' ? '未调阅收文' : '待签收收文'}
          n={counts.filings}
          warn
          testid="home-filings"
        />
      ) : null}
      {counts.queue !== undefined ? <Card href="/web/queue" label="待分办文书" n={counts.queue} warn testid="home-queue" /> : null}
      {counts.overdue !== undefined ? <Card href="/web/board#overdue" label="已逾期事项" n={counts.overdue} warn testid="home-overdue" /> : null}
      {counts.dueThisWeek !== undefined ? <Card href="/web/board#this-week" label="本周到期" n={counts.dueThisWeek} testid="home-this-week" /> : null}
      {counts.remediation !== undefined ? <Card href="/web/board#remediation" label="整改事项" n={counts.remediation} warn testid="home-remediation" /> : null}
      {counts.suggestions !== undefined ? <Card href="/web/suggestions" label="待办建议答复" n={counts.suggestions} warn testid="home-suggestions" /> : null}
    </div>
    {p.role === 'unit' ? (
      <section class="card" aria-labelledby="feed-h">
        <h2 id="feed-h" style="margin-top:0">
          日历订阅
        </h2>
        <p class="muted">把本单位的时限事项订阅到手机或电脑日历中，到期前自动提醒。生成新链接后，旧链接即失效。</p>
        <form method="post" action="/web/feed">
          <button type="submit" class="primary">
            生成日历订阅链接
          </button>
        </form>
      </section>
    ) : null}
    {p.role === 'court' || p.role === 'procuratorate' ? (
      <p class="empty">法院、检察院通过系统对接推送文书并获取送达证据，本系统页面不向其展示政府内部办理情况。</p>
    ) : null}
    {p.role === 'admin' || p.role === 'justice_bureau' || p.role === 'government_office' || p.role === 'liaison' || p.role === 'court' ? (
      <p>
        <a href="/web/overview">查看区域概况（发案、败诉率、出庭率、按时率）→</a>
      </p>
    ) : null}
  </>
);
