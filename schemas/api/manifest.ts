/**
 * The delivery manifest: the payload a court or procuratorate signs (JWS payload, or the signed
 * element of an XML envelope). Published as JSON Schema in schemas/wire/manifest.schema.json
 * (generated from this file by `npm run wire:schema`).
 *
 * Document types: docs/domain.md §2.
 */
import { z } from '@hono/zod-openapi';
import * as words from '../../src/domain/case-info.js';
import { CHALLENGED_ACT_KINDS, DOCUMENT_TYPES, INSTANCES, REVIEW_OUTCOMES } from '../../src/domain/case-info.js';
import { SENDER_TYPES } from '../../src/domain/vocabulary.js';

// The vocabulary and the case's shape belong to the domain (src/domain/case-info.ts); the wire builds from them.
export { DOCUMENT_TYPES, type DocumentType } from '../../src/domain/case-info.js';

/**
 * Text as people write it: at most `max` characters as sent, and not blank. The pattern says "not blank" in the
 * published JSON Schema too (minLength alone would let "   " through there while zod, trimming first, refuses it).
 */
/** The most documents one delivery holds, and attachments one document holds. */
export const MAX_DOCUMENTS = 50;
export const MAX_ATTACHMENTS_PER_DOCUMENT = 100;
/**
 * JSON values a manifest may hold (src/lib/json-size.ts counts them before it is parsed): 50 documents of 100
 * attachments each, with the fields of schemas/wire/examples/jose, are about 93,000; this leaves room for long party lists.
 */
export const MAX_MANIFEST_TOKENS = 500_000;

const text = (max: number) => z.string().max(max).trim().min(1).regex(/\S/, 'must not be blank');

/** Years a document may speak of: 1900–2199 (the calendar and period arithmetic work in this range). */
const YEARS = /^(?:19|20|21)\d\d-/;
/** A legal date (YYYY-MM-DD, Beijing) in that range. */
const legalDate = () => z.iso.date().regex(YEARS, 'a date between 1900-01-01 and 2199-12-31');
/** An instant with its offset, in that range. */
const instant = () => z.iso.datetime({ offset: true }).regex(YEARS, 'an instant between 1900 and 2199');

/** A lone UTF-16 surrogate: not Unicode text, and refused by RFC 8785 canonicalisation (§3.2.2.2). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string (value or key) in a JSON value holding a lone surrogate. */
function loneSurrogateAt(v: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof v === 'string') return LONE_SURROGATE.test(v) ? path : undefined;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      const at = loneSurrogateAt(x, [...path, i]);
      if (at) return at;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (LONE_SURROGATE.test(k)) return [...path, k];
      const at = loneSurrogateAt(x, [...path, k]);
      if (at) return at;
    }
  }
  return undefined;
}

/** A party or unit as the court writes it: a name, optionally the unit's code (统一社会信用代码 or directory id). */
export const PartyRef = z
  .object({
    name: text(200).describe('Name as written in the document, e.g. 柯城区自然资源局'),
    unitCode: text(64).optional().describe('Unit code if the court knows it (统一社会信用代码 or directory id)'),
    regionCode: z
      .string()
      .regex(/^\d{6}$/)
      .optional()
      .describe('Administrative division code of the unit (e.g. 330802 柯城区) if known'),
  })
  .openapi('PartyRef');

export const Attachment = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .describe('Attachment id, unique in the message; the multipart part carrying the bytes has this name'),
    filename: text(255),
    mediaType: z
      .string()
      .regex(/^[\w.+-]+\/[\w.+-]+$/)
      .describe('IANA media type, e.g. application/pdf'),
    size: z.number().int().nonnegative().describe('Size in bytes'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe('SHA-256 of the bytes, lowercase hex'),
    content: z.string().optional().describe('Base64 of the bytes (inline form, application/jose only); omitted in multipart deliveries'),
  })
  .openapi('Attachment');

export const AdministrativeReview = z
  .object({
    organ: PartyRef.describe('The review organ (复议机关)'),
    outcome: z.enum(REVIEW_OUTCOMES).describe('maintained 维持 | changed 改变 | not_acted 复议机关不作为 | rejected 驳回/不予受理 | other'),
    decidedOn: legalDate().optional(),
  })
  .openapi('AdministrativeReview');

export const CaseInfo = z
  .object({
    caseNumber: text(100).describe('Case number, e.g. (2026)浙0825行初123号'),
    court: z.object({ code: text(64), name: text(200) }),
    instance: z.enum(INSTANCES).describe('first 一审 | second 二审 | retrial 再审'),
    priorCaseNumbers: z
      .array(text(100))
      .max(5)
      .optional()
      .describe('Case numbers of the earlier instances (原审案号), so an appeal or retrial follows the first-instance units (B 第九条)'),
    priorCourtCode: text(64)
      .optional()
      .describe(
        'The court of the earlier instance (原审法院), as registered with the gateway. An appeal or retrial heard by another court is a case of its own: it links to the earlier case through priorCaseNumbers and this code, and never writes into that case',
      ),
    plaintiffs: z.array(z.object({ name: text(200) })).min(1),
    defendants: z.array(PartyRef).min(1),
    challengedAct: z.object({
      description: text(2000),
      actingUnits: z.array(PartyRef).min(1).describe('Units that made the act (作出行政行为的机关)'),
      kind: z.enum(CHALLENGED_ACT_KINDS).default('act').describe('act 作为 | inaction 不作为'),
      actedOn: legalDate().optional(),
      domain: text(50).optional().describe('Enforcement domain (执法领域), e.g. 自然资源'),
    }),
    administrativeReview: AdministrativeReview.optional(),
  })
  .openapi('CaseInfo');

export const Hearing = z
  .object({
    at: instant().describe('Hearing start, with offset (Beijing time +08:00)'),
    place: text(200).optional(),
    headAppearanceRequired: z.boolean().optional(),
  })
  .openapi('Hearing');

export const Outcome = z
  .object({
    result: z
      .enum(['win', 'loss', 'partial_loss', 'withdrawal', 'mediation', 'other'])
      .describe(
        'win 胜诉 | loss 败诉 | partial_loss 部分败诉 (some claims upheld against the agency) | withdrawal 撤诉 | mediation 调解 | other (the appeal period and the appeal-opinion duties still run)',
      ),
    lossKind: z.enum(['revoke', 'confirm_illegal', 'confirm_invalid', 'change', 'order_performance', 'order_payment', 'compensation']).optional(),
    effectiveOn: legalDate().optional().describe('The day this decision took effect (生效), when the court states it'),
    performanceDueOn: legalDate().optional().describe('The performance deadline the decision sets (a stated date: never recomputed)'),
  })
  .openapi('Outcome');

export const DocumentEntry = z
  .object({
    documentId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .describe('Court-side document id, unique in the message'),
    type: z.enum(DOCUMENT_TYPES),
    title: text(500),
    case: CaseInfo.optional().describe('The case; required for every type except a stand-alone suggestion'),
    hearing: Hearing.optional(),
    outcome: Outcome.optional(),
    replyDueOn: legalDate().optional().describe('Reply deadline stated by a suggestion, if any (a stated date: never recomputed)'),
    decisionEffectiveOn: legalDate()
      .optional()
      .describe(
        "The day the case's latest first-instance judgment or ruling took effect (生效), stated by the court on any later document of the case (e.g. a 生效证明); replaces the gateway's inference from the appeal period",
      ),
    urgent: z.boolean().optional().describe('A procuratorial suggestion in urgent public-interest litigation: 15 days (公益诉讼解释 第21条)'),
    attachments: z.array(Attachment).max(MAX_ATTACHMENTS_PER_DOCUMENT).default([]),
  })
  .superRefine((d, ctx) => {
    if (!d.case && d.type !== 'judicial_suggestion' && d.type !== 'procuratorial_suggestion') {
      ctx.addIssue({ code: 'custom', path: ['case'], message: `a ${d.type} must carry its case` });
    }
    if (d.type === 'effectiveness_certificate' && !d.decisionEffectiveOn) {
      ctx.addIssue({ code: 'custom', path: ['decisionEffectiveOn'], message: 'an effectiveness_certificate (生效证明书) states decisionEffectiveOn' });
    }
  })
  .openapi('DocumentEntry');

export const Manifest = z
  .object({
    messageId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .describe('Unique per sender'),
    sender: z.object({
      type: z.enum(SENDER_TYPES),
      code: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    }),
    issuedAt: instant(),
    documents: z.array(DocumentEntry).min(1).max(MAX_DOCUMENTS),
  })
  .superRefine((m, ctx) => {
    const bad = loneSurrogateAt(m);
    if (bad)
      ctx.addIssue({
        code: 'custom',
        path: bad,
        message: 'not well-formed Unicode (a lone surrogate); every string must be Unicode text (RFC 8785 §3.2.2.2, RFC 7493 §2.1)',
      });
    const ids = new Set<string>();
    const attIds = new Set<string>();
    m.documents.forEach((d, i) => {
      if (ids.has(d.documentId)) ctx.addIssue({ code: 'custom', path: ['documents', i, 'documentId'], message: 'duplicate documentId' });
      ids.add(d.documentId);
      d.attachments.forEach((a, j) => {
        if (attIds.has(a.id)) ctx.addIssue({ code: 'custom', path: ['documents', i, 'attachments', j, 'id'], message: 'duplicate attachment id' });
        attIds.add(a.id);
      });
    });
  })
  .openapi('Manifest');

export type Manifest = z.infer<typeof Manifest>;
export type DocumentEntry = z.infer<typeof DocumentEntry>;
export type CaseInfo = words.CaseInfo;
export type PartyRef = words.PartyRef;

// The wire parses into exactly the domain's types: a field added or changed on one side and not the other fails the
// typecheck here.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false; // exact, optional fields included
const wireMatchesDomain: [Same<z.infer<typeof CaseInfo>, words.CaseInfo>, Same<z.infer<typeof PartyRef>, words.PartyRef>] = [true, true];
void wireMatchesDomain;
export type Attachment = z.infer<typeof Attachment>;
