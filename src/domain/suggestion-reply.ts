/**
 * The reply deadline of a judicial or procuratorial suggestion at intake (docs/domain.md §4, DOMAIN.md "Periods").
 *
 * In order: the date the document states (a fact, never recomputed: DOMAIN.md "A date the court states … is a fact");
 * else the region's policy rule (its obligation's due date); else the national default of two months from receipt
 * [法释〔2023〕11号 第8条 for a judicial suggestion; 检察建议工作规定 2019 for a procuratorial one], counted by the
 * civil rule [民法典 第202条]: the same-numbered day of the final month, or its last day (12-31 → 02-28, never 03-03).
 */
import { addMonths, beijingDate, type Instant, type IsoDate } from './calendar/civil.js';
import type { SuggestionKind } from './vocabulary.js';

export interface SuggestionReplyDue {
  dueOn: IsoDate;
  /** Where the date came from: the document, the region's policy, or the national default. */
  origin: 'document' | 'policy' | 'national_default';
  /** The article behind a national default (the policy's own source when the policy decided). */
  source: string;
}

/** The national rule for each kind of suggestion (法释〔2023〕11号 第8条; 检察建议工作规定 2019). */
export const SUGGESTION_REPLY_SOURCE: Record<SuggestionKind, string> = {
  judicial: '法释〔2023〕11号 第8条',
  procuratorial: '检察建议工作规定 2019',
};

export function suggestionReplyDue(input: {
  kind: SuggestionKind;
  arrivedAt: Instant;
  /** The reply date the document states, if any. */
  stated?: IsoDate;
  /** The due date and source of the policy's suggestion_reply obligation, if the region's policy has one. */
  policy?: { dueOn: IsoDate; source?: string };
}): SuggestionReplyDue {
  const national = SUGGESTION_REPLY_SOURCE[input.kind];
  if (input.stated) return { dueOn: input.stated, origin: 'document', source: input.policy?.source ?? national };
  if (input.policy) return { dueOn: input.policy.dueOn, origin: 'policy', source: input.policy.source ?? national };
  // 民法典 第202条: two months end on the same-numbered day, or the month's last day.
  return { dueOn: addMonths(beijingDate(input.arrivedAt), 2), origin: 'national_default', source: national };
}
