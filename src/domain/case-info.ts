/**
 * The words of a case as the rules read them (docs/domain.md §2, DOMAIN.md "Document types"): the document types,
 * instances, and the case and party facts routing and policy decide on. The domain owns these; the wire contract
 * (schemas/api/manifest.ts) builds its zod schemas from these lists and is checked, at compile time, to parse into
 * exactly these types.
 */

export const DOCUMENT_TYPES = [
  'complaint_copy', // 起诉状副本 (with 应诉通知书, 举证通知书)
  'response_notice', // 应诉通知书
  'summons', // 传票 / 开庭通知
  'head_appearance_notice', // 负责人出庭通知书
  'judgment', // 判决书
  'ruling', // 裁定书
  'mediation', // 调解书
  'appeal', // 上诉状
  'judicial_suggestion', // 司法建议书
  'procuratorial_suggestion', // 检察建议书
  'effectiveness_certificate', // 生效证明书: states the day the case's decision took effect (decisionEffectiveOn)
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** first 一审 | second 二审 | retrial 再审. */
export const INSTANCES = ['first', 'second', 'retrial'] as const;
export type Instance = (typeof INSTANCES)[number];

/** act 作为 | inaction 不作为. */
export const CHALLENGED_ACT_KINDS = ['act', 'inaction'] as const;
export type ChallengedActKind = (typeof CHALLENGED_ACT_KINDS)[number];

/** maintained 维持 | changed 改变 | not_acted 复议机关不作为 | rejected 驳回/不予受理 | other. */
export const REVIEW_OUTCOMES = ['maintained', 'changed', 'not_acted', 'rejected', 'other'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/** A party or unit as the court writes it: a name, optionally the unit's code (统一社会信用代码 or directory id). */
export interface PartyRef {
  name: string;
  unitCode?: string;
  /** Administrative division code of the unit (e.g. 330802 柯城区) if known. */
  regionCode?: string;
}

/** The case a document belongs to, as the sender states it. */
export interface CaseInfo {
  caseNumber: string;
  court: { code: string; name: string };
  instance: Instance;
  /** Case numbers of the earlier instances (原审案号), so an appeal or retrial follows the first-instance units (B 第九条). */
  priorCaseNumbers?: string[];
  /** The court of the earlier instance (原审法院), as registered with the gateway. */
  priorCourtCode?: string;
  plaintiffs: { name: string }[];
  defendants: PartyRef[];
  challengedAct: {
    description: string;
    /** Units that made the act (作出行政行为的机关). */
    actingUnits: PartyRef[];
    kind: ChallengedActKind;
    actedOn?: string;
    /** Enforcement domain (执法领域), e.g. 自然资源. */
    domain?: string;
  };
  administrativeReview?: { organ: PartyRef; outcome: ReviewOutcome; decidedOn?: string };
}
