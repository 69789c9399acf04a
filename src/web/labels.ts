/** Chinese labels for every code the pages show: people read names and words, never internal codes or ids. */
import type { Role } from '../services/clients.js';
import { STEP_RULES, type StepKind } from '../domain/steps.js';
import { beijingWallTime } from '../domain/calendar/index.js';

export const ROLE_ZH: Record<Role, string> = {
  unit: '承办单位',
  justice_bureau: '司法局',
  government_office: '政府办',
  court: '法院',
  procuratorate: '检察院',
  liaison: '府院联络',
  admin: '系统管理员',
};

export const ASSIGNMENT_ROLE_ZH: Record<string, string> = { lead: '主办', cooperating: '协办', review_part: '复议机关', assisting: '协助' };

export const QUEUE_REASON_ZH: Record<string, string> = {
  designate_lead: '共同行为，需指定主办单位',
  unknown_unit: '名录中找不到该单位',
  ambiguous_unit: '单位名称对应多个单位',
  conflicting_unit_code: '单位代码与行政区划不一致',
  cross_region: '涉及不同行政区划的单位',
  no_justice_bureau: '该区无（或有多个）司法局',
  no_successor: '已撤销单位未载明继续行使职权的单位',
  chain_cycle: '委托或承继关系循环',
  government_act: '区政府作出的行为，需指定主管部门',
  review_organ_outside: '复议机关不属本区',
  unclear_review: '复议情况与被告不相符',
  prior_assignment_invalid: '一审承办单位已不在名录中',
};

export const OBLIGATION_STATUS_ZH: Record<string, string> = { open: '未办结', done: '已办结', overdue: '已逾期', remedied: '已补救', waived: '已免除' };

export const DOCUMENT_TYPE_ZH: Record<string, string> = {
  complaint_copy: '起诉状副本',
  response_notice: '应诉通知书',
  summons: '传票',
  judgment: '判决书',
  ruling: '裁定书',
  mediation: '调解书',
  head_appearance_notice: '负责人出庭通知书',
  appeal: '上诉状',
  judicial_suggestion: '司法建议',
  procuratorial_suggestion: '检察建议',
  effectiveness_certificate: '生效证明书',
};

export const TIMELINE_KIND_ZH: Record<string, string> = {
  document: '送达',
  assignment: '分办',
  obligation: '时限',
  obligation_closed: '办结',
  step: '办理',
  evidence: '证据',
};

/** An instant as Beijing wall time, "2026-11-23 10:00". */
export function beijingTime(instant: string | Date): string {
  return beijingWallTime(typeof instant === 'string' ? new Date(instant) : instant);
}

export const percent = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? '—' : `${(x * 100).toFixed(digits)}%`);

export const INSTANCE_ZH: Record<string, string> = { first: '一审', second: '二审', retrial: '再审' };

export const ROUTING_STATUS_ZH: Record<string, string> = { assigned: '已分办', queued: '待司法局分办' };

/** Where a filing stands for the government side: unread, looked at by the unit, confirmed (签收) by the bureau. */
export const FILING_STATUS_ZH: Record<string, string> = { new: '未调阅', retrieved: '已调阅（待签收）', confirmed: '已签收' };

export const SUGGESTION_KIND_ZH: Record<string, string> = { judicial: '司法建议', procuratorial: '检察建议' };

export const SUGGESTION_STATUS_ZH: Record<string, string> = {
  queued: '待司法局指定承办单位',
  drafting: '承办单位起草中',
  under_review: '司法局审核中',
  returned: '已退回修改',
  awaiting_approval: '待政府审批',
  relayed: '答复已送达',
  acknowledged: '来文机关已确认',
};

export const SUGGESTION_STEP_ZH: Record<string, string> = {
  assigned: '指定承办单位',
  draft: '提交答复稿',
  review: '司法局审核',
  approval: '政府批准',
  relay: '签名送达',
  acknowledged: '来文机关确认',
};

export const EVIDENCE_ZH: Record<string, string> = {
  receipt: '送达回证',
  retrieval: '调阅证明',
  confirmation: '签收证明',
  reply: '建议答复',
  rejection: '拒收说明',
};

export const AGENT_KIND_ZH: Record<string, string> = { staff: '本机关工作人员', legal_adviser: '法律顾问', lawyer: '律师' };

export const STEP_ZH: Record<string, string> = Object.fromEntries(Object.entries(STEP_RULES).map(([k, r]) => [k, r.zh]));
export const stepZh = (k: string) => STEP_ZH[k as StepKind] ?? '办理记录';

/** Who did something, as people say it: the client's name and the person, without the client id. */
export function actorZh(actor: string | null | undefined): string {
  if (!actor) return '';
  if (actor === 'court') return '法院';
  if (actor === 'rules') return '分办规则';
  if (actor === 'gateway') return '府院通';
  if (actor === 'sweep') return '自动巡检';
  if (actor.startsWith('sender:')) return '来文机关';
  return actor
    .replace(/\s*\((?:c-)?[0-9a-f]{8}-[0-9a-f-]{27,}\)/gi, '')
    .replace(/^ADMIN_TOKEN\b/, '系统管理员')
    .replace(/\bbootstrap-admin\b/, '系统管理员')
    .trim();
}

export const yesNo = (b: boolean | null | undefined) => (b ? '是' : '否');

/** A source as people cite it: the articles, without the project's own documents (DOMAIN.md, issues). */
export function publicSource(source: string | null | undefined): string {
  return (source ?? '')
    .split(/\s*[;；]\s*/)
    .filter((x) => x && !/DOMAIN\.md|ARCHITECTURE\.md|\bissue\b/i.test(x))
    .join('；');
}
