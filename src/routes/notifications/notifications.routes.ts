/** Contracts: a unit's notification channels, and the outbox as people see it (the dead-letter list, retry). */
import { createRoute, z } from '@hono/zod-openapi';
import { guard } from '../../http/auth.js';
import { problemResponses } from '../../../schemas/api/common.js';
import { CHANNEL_KINDS, MOBILE, USER_ID } from '../../services/notifications.js';

const tags = ['Notifications 通知'];
const UnitId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/)
  .describe('A unit id from the directory');
const Id = z.string().min(1).max(64);

export const MentionBody = z
  .object({
    mobiles: z
      .array(z.string().regex(MOBILE, { error: 'a mobile number is 11 digits starting with 1 (e.g. 13800001111), no country code or spaces' }))
      .max(20)
      .optional()
      .describe('Mobile numbers of the clerks to mention (DingTalk atMobiles, WeCom mentioned_mobile_list)'),
    userIds: z
      .array(z.string().regex(USER_ID, { error: 'a user id is 1 to 64 letters, digits or . _ @ -' }))
      .max(20)
      .optional()
      .describe('DingTalk or WeCom user ids (userid) of the clerks to mention (atUserIds, mentioned_list)'),
    all: z.boolean().optional().describe('Mention everyone in the group (isAtAll, "@all")'),
  })
  .openapi('ChannelMention');

export const Mention = z
  .object({
    mobiles: z.array(z.string()).describe('Masked: 138****5678'),
    userIds: z.array(z.string()),
    all: z.boolean(),
  })
  .nullable()
  .describe('Who the messages mention; null: nobody');

export const ChannelBody = z
  .object({
    kind: z.enum(CHANNEL_KINDS).describe('dingtalk: 钉钉群机器人 · wecom: 企业微信群机器人 · webhook: signed generic webhook'),
    url: z.string().min(1).max(2048).describe('http(s) address: the robot Webhook address (with ?access_token= or ?key=), or your endpoint'),
    secret: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('DingTalk: the 加签 secret (SEC…), recommended; webhook: the HMAC key (≥ 16 characters), required; WeCom: none'),
    mention: MentionBody.optional().describe('Who each message mentions (@), e.g. the responsible clerk: DingTalk and WeCom only'),
  })
  .openapi('ChannelRequest');

export const Channel = z
  .object({
    id: z.string(),
    unitId: z.string(),
    kind: z.enum(CHANNEL_KINDS),
    url: z.string().describe('The address with its credential masked'),
    hasSecret: z.boolean(),
    mention: Mention,
    enabled: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('Channel');

export const OutboxItem = z
  .object({
    id: z.string(),
    kind: z.string().describe('dingtalk | wecom | webhook | court_callback'),
    destination: z.string().describe('The channel id (notifications) or the sender code (court callbacks)'),
    unitId: z.string().nullable(),
    idempotencyKey: z.string(),
    status: z.enum(['pending', 'sent', 'dead']),
    attempts: z.number().int(),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable().describe('The last failure, as the service answered'),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
    title: z.string().nullable(),
  })
  .openapi('OutboxItem');

export const postChannel = createRoute({
  method: 'post',
  path: '/v1/admin/units/{unitId}/channels',
  tags,
  summary: 'Add a notification channel to a unit (DingTalk or WeCom group robot, or a signed webhook)',
  ...guard('admin'),
  request: { params: z.object({ unitId: UnitId }), body: { required: true, content: { 'application/json': { schema: ChannelBody } } } },
  responses: { 201: { description: 'Registered', content: { 'application/json': { schema: Channel } } }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const getChannels = createRoute({
  method: 'get',
  path: '/v1/admin/units/{unitId}/channels',
  tags,
  summary: "A unit's notification channels, enabled and disabled",
  ...guard('admin'),
  request: { params: z.object({ unitId: UnitId }) },
  responses: {
    200: { description: 'Channels, oldest first', content: { 'application/json': { schema: z.object({ items: z.array(Channel) }) } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export const deleteChannel = createRoute({
  method: 'delete',
  path: '/v1/admin/channels/{id}',
  tags,
  summary: 'Disable a channel: nothing more is sent to it (the row stays, for the record)',
  ...guard('admin'),
  request: { params: z.object({ id: Id }) },
  responses: { 200: { description: 'Disabled', content: { 'application/json': { schema: Channel } } }, ...problemResponses(401, 403, 404) },
});

export const putChannelMention = createRoute({
  method: 'put',
  path: '/v1/admin/channels/{id}/mention',
  tags,
  summary: "Change who a channel's messages mention (e.g. a new responsible clerk); an empty body mentions nobody",
  ...guard('admin'),
  request: { params: z.object({ id: Id }), body: { required: true, content: { 'application/json': { schema: MentionBody } } } },
  responses: { 200: { description: 'Changed', content: { 'application/json': { schema: Channel } } }, ...problemResponses(400, 401, 403, 404) },
});

export const getOutbox = createRoute({
  method: 'get',
  path: '/v1/admin/outbox',
  tags,
  summary: 'The outbox by status, newest first: ?status=dead is the dead-letter list (attempts and the last error)',
  ...guard('admin'),
  request: {
    query: z.object({
      status: z.enum(['dead', 'pending', 'sent']).default('dead'),
      limit: z.coerce.number().int().min(1).max(500).optional(),
    }),
  },
  responses: {
    200: { description: 'Rows', content: { 'application/json': { schema: z.object({ items: z.array(OutboxItem) }) } } },
    ...problemResponses(400, 401, 403),
  },
});

export const postOutboxRetry = createRoute({
  method: 'post',
  path: '/v1/admin/outbox/{id}/retry',
  tags,
  summary: 'Send a dead letter again: back to pending, due now, with a fresh count of attempts',
  ...guard('admin'),
  request: { params: z.object({ id: Id }) },
  responses: { 200: { description: 'Pending again', content: { 'application/json': { schema: OutboxItem } } }, ...problemResponses(401, 403, 404, 409) },
});
