/** Chinese labels for the pages, with the English codes shown in small print beside them. */
import type { Role } from '../services/clients.js';

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
  const t = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  return new Date(t + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export const percent = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? '—' : `${(x * 100).toFixed(digits)}%`);
