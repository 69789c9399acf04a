/**
 * DingTalk custom group robot (钉钉自定义机器人): POST {msgtype:'markdown', markdown:{title, text}} to the
 * robot's Webhook address (https://oapi.dingtalk.com/robot/send?access_token=…).
 *
 * 加签 (signed security setting), as DingTalk Open Platform documents it ("自定义机器人安全设置",
 * open.dingtalk.com/document/robots/customize-robot-security-settings): string to sign = timestamp + "\n" +
 * secret, where timestamp is the current time in milliseconds (at most one hour from DingTalk's clock) and
 * secret the "SEC…" string of the robot's settings; sign = urlEncode(base64(HmacSHA256(key = secret, string to
 * sign))), UTF-8; both go in the query: &timestamp=…&sign=…. A wrong sign is answered {errcode:310000,
 * errmsg:"sign not match"} with HTTP 200, so the answer's errcode decides, not the status.
 *
 * Mentions (@), as the same documentation describes the text and markdown types ("自定义机器人发送群消息"):
 * the body carries `at: { atMobiles: [...], atUserIds: [...], isAtAll }`, and a mobile or user id is only
 * shown as a mention (and the person pinged) when the text also says "@<mobile>" / "@<userId>". They go on
 * the line before the link, so a cut of a long message never loses them.
 */
import { toBase64 } from '../../src/lib/encoding.js';
import type { Mention, NotifyChannelAdapter } from '../../src/services/notifications.js';
import { checkErrcode, hmacSha256, postJson } from './http.js';
import { renderMarkdown } from './render.js';

/** The signed address: the robot address plus &timestamp=<ms>&sign=<urlencoded base64 HMAC>. */
export async function dingtalkSignedUrl(url: string, secret: string, now: Date): Promise<string> {
  const timestamp = String(now.getTime());
  const sign = encodeURIComponent(toBase64(await hmacSha256(secret, `${timestamp}\n${secret}`)));
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${sign}`;
}

/** The "@…" line of the text: every mobile and user id the `at` names (DingTalk renders a mention only then). */
export function dingtalkMentionLine(m: Mention | null | undefined): string | undefined {
  if (!m) return undefined;
  const names = [...m.mobiles, ...m.userIds].map((x) => `@${x}`);
  return names.length ? names.join(' ') : undefined;
}

export const dingtalkAdapter: NotifyChannelAdapter = {
  kind: 'dingtalk',
  async send(channel, message, ctx) {
    const m = channel.mention ?? null;
    const mention = dingtalkMentionLine(m);
    const body = JSON.stringify({
      msgtype: 'markdown',
      markdown: {
        title: Array.from(message.title).slice(0, 64).join(''),
        text: renderMarkdown(message, { paragraph: '\n\n', maxBytes: 18_000, ...(mention ? { mention } : {}) }),
      },
      ...(m ? { at: { atMobiles: m.mobiles, atUserIds: m.userIds, isAtAll: m.all } } : {}),
    });
    const url = channel.secret ? await dingtalkSignedUrl(channel.url, channel.secret, ctx.now) : channel.url;
    const { text } = await postJson(ctx, url, body);
    checkErrcode('DingTalk', channel.url, text);
  },
};
