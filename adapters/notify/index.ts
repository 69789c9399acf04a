/** The notify adapters, one per channel kind: what a runtime wires as deps.notifier.adapters. */
import type { NotifyChannelAdapter } from '../../src/services/notifications.js';
import { dingtalkAdapter } from './dingtalk.js';
import { wecomAdapter } from './wecom.js';
import { webhookAdapter } from './webhook.js';

export { dingtalkAdapter, wecomAdapter, webhookAdapter };
export const notifyAdapters: readonly NotifyChannelAdapter[] = [dingtalkAdapter, wecomAdapter, webhookAdapter];
