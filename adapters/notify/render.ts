/**
 * How a NotificationMessage looks on each channel: markdown for the DingTalk and WeCom group robots, JSON for
 * the generic webhook. Product text in Chinese. The case number, the obligation and the due date get their own
 * labelled line unless a line of the message already says them; the link comes last. Runtime-neutral.
 */
import type { NotificationMessage } from '../../src/services/notifications.js';

/** Signature line: also the keyword a robot with "自定义关键词" security can be set to require. */
export const FOOTER = '—— 府院通 · 行政应诉';

const enc = new TextEncoder();

/** Cut a string to at most maxBytes of UTF-8, on a character boundary, marking the cut with "…". */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (enc.encode(s).length <= maxBytes) return s;
  const budget = maxBytes - enc.encode('…').length;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = enc.encode(ch).length;
    if (used + n > budget) break;
    out += ch;
    used += n;
  }
  return `${out}…`;
}

/** A link only if it is http(s); ")" and spaces are escaped so the markdown link stays one link. */
function safeLink(link: string | undefined): string | null {
  if (!link) return null;
  try {
    const u = new URL(link);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    return u.toString().replace(/\)/g, '%29').replace(/ /g, '%20');
  } catch {
    return null;
  }
}

/** One paragraph without block syntax of its own: a leading # or > (heading, quote) becomes its full-width form. */
const plain = (s: string) =>
  s
    .replace(/[\r\n]+/g, ' ')
    .replace(/^\s*#/, '＃')
    .replace(/^\s*>/, '＞');

/** The labelled facts: 案号, 事项, 截止日期, each only when no line already mentions it. */
export function factLines(m: NotificationMessage): string[] {
  const said = (v: string) => m.lines.some((l) => l.includes(v));
  const out: string[] = [];
  if (m.caseNumber && !said(m.caseNumber)) out.push(`**案号**：${plain(m.caseNumber)}`);
  if (m.obligation && !said(m.obligation)) out.push(`**事项**：${plain(m.obligation)}`);
  if (m.dueOn && !said(m.dueOn)) out.push(`**截止日期**：${plain(m.dueOn)}`);
  return out;
}

/**
 * Markdown for a group robot. DingTalk needs an empty line between paragraphs; WeCom breaks on "\n".
 * maxBytes: WeCom's markdown.content is at most 4096 bytes. A message too long loses the end of its body, never
 * the link (查看详情) or the footer, which is the keyword a robot may require: the body is cut to what they leave.
 */
export function renderMarkdown(m: NotificationMessage, opts: { paragraph: '\n\n' | '\n'; maxBytes: number; mention?: string }): string {
  const link = safeLink(m.link);
  const tail = [...(opts.mention ? [opts.mention] : []), ...(link ? [`[查看详情 (details)](${link})`] : []), FOOTER].join(opts.paragraph);
  const body = [`#### ${plain(m.title)}`, ...factLines(m), ...m.lines.map(plain)].join(opts.paragraph);
  return fit(body, tail, opts.paragraph, opts.maxBytes);
}

/** body + sep + tail in at most maxBytes of UTF-8: the body loses its end first, the tail (mention, link, keyword) last. */
function fit(body: string, tail: string, sep: string, maxBytes: number): string {
  const room = maxBytes - enc.encode(sep + tail).length;
  if (room <= 0) return truncateUtf8(tail, maxBytes);
  return `${truncateUtf8(body, room)}${sep}${tail}`;
}

/**
 * Plain text of a message (the webhook's `text`, for receivers that only display; a WeCom text message).
 * With maxBytes, cut like renderMarkdown: the link, the mention line and the footer stay.
 */
export function renderText(m: NotificationMessage, opts: { maxBytes?: number; mention?: string } = {}): string {
  const facts = factLines(m).map((l) => l.replace(/\*\*/g, ''));
  const body = [m.title, ...facts, ...m.lines].join('\n');
  const tail = [...(opts.mention ? [opts.mention] : []), ...(m.link ? [`详情：${m.link}`] : []), FOOTER].join('\n');
  return opts.maxBytes === undefined ? `${body}\n${tail}` : fit(body, tail, '\n', opts.maxBytes);
}

/** The generic webhook's JSON body: the message's fields for machines, the text and markdown for people. */
export function renderWebhookBody(m: NotificationMessage, ctx: { idempotencyKey: string; now: Date }) {
  return {
    type: 'fuyuan.notification',
    idempotencyKey: ctx.idempotencyKey,
    sentAt: ctx.now.toISOString(),
    title: m.title,
    lines: m.lines,
    caseNumber: m.caseNumber ?? null,
    obligation: m.obligation ?? null,
    dueOn: m.dueOn ?? null,
    link: m.link ?? null,
    text: renderText(m),
    markdown: renderMarkdown(m, { paragraph: '\n\n', maxBytes: 20_000 }),
  };
}
