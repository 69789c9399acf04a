/**
 * WeCom group robot (企业微信群机器人): POST {msgtype:'markdown', markdown:{content}} to the robot's Webhook
 * address (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…); the key in the address is the only
 * credential (no signing). The answer is {errcode, errmsg}; errcode ≠ 0 is a refusal. markdown.content is at
 * most 4096 bytes of UTF-8 (WeCom developer documentation, 群机器人配置说明).
 *
 * Mentions: only the text type has them (text.mentioned_list of userids, "@all" for everyone, and
 * text.mentioned_mobile_list of mobiles; text.content at most 2048 bytes). So a channel that mentions someone
 * sends a text message (the same facts, link and keyword, without markdown); one that mentions nobody, markdown.
 */
import type { NotifyChannelAdapter } from '../../src/services/notifications.js';
import { checkErrcode, postJson } from './http.js';
import { renderMarkdown, renderText } from './render.js';

export const WECOM_MAX_BYTES = 4096;
export const WECOM_TEXT_MAX_BYTES = 2048;

export const wecomAdapter: NotifyChannelAdapter = {
  kind: 'wecom',
  async send(channel, message, ctx) {
    const m = channel.mention ?? null;
    const body = m
      ? JSON.stringify({
          msgtype: 'text',
          text: {
            content: renderText(message, { maxBytes: WECOM_TEXT_MAX_BYTES }),
            mentioned_list: [...m.userIds, ...(m.all ? ['@all'] : [])],
            mentioned_mobile_list: m.mobiles,
          },
        })
      : JSON.stringify({ msgtype: 'markdown', markdown: { content: renderMarkdown(message, { paragraph: '\n', maxBytes: WECOM_MAX_BYTES }) } });
    const { text } = await postJson(ctx, channel.url, body);
    checkErrcode('WeCom', channel.url, text);
  },
};
