/**
 * Forms for the steps of a case (src/domain/steps.ts): one plain form per step a role records, with Chinese
 * labels, and the conversion of what was posted into the step's body. The body is then checked by the same
 * schema (STEP_SCHEMAS) and service (recordStep) as POST /v1/cases/{id}/steps/{kind}.
 */
import type { FC } from 'hono/jsx';
import { STEP_RULES, type StepKind } from '../domain/steps.js';
import { APPEARANCE_RULES } from '../domain/appearance.js';
import type { Principal } from '../services/clients.js';
import { Problem } from '../lib/problem.js';
import { toBase64 } from '../lib/encoding.js';

/** The head-appearance situations no document states, which the justice bureau sets (docs/domain.md §5), in its words. */
const BUREAU_SITUATIONS = APPEARANCE_RULES.filter((r, i, all) => r.decidedBy === 'bureau' && all.findIndex((x) => x.situation === r.situation) === i).map(
  (r) => ({
    value: r.situation,
    label: `${r.zh}（${r.source}）`,
  }),
);

type Field =
  | { name: string; label: string; type: 'text' | 'textarea' | 'date'; required?: boolean; hint?: string; max?: number }
  | { name: string; label: string; type: 'yesno'; yes: string; no: string }
  | { name: string; label: string; type: 'agents'; min: number }
  | { name: string; label: string; type: 'files' }
  | { name: string; label: string; type: 'checks'; options: readonly { value: string; label: string }[] };

interface StepForm {
  title: string;
  /** Why this step exists, in the product's words, with the article. */
  note: string;
  fields: Field[];
  /** What was posted, as the step's body; without it, each text/date field by its name and each yes/no as a boolean. */
  toBody?: (f: FormValues) => unknown;
}

export interface Adviser {
  id: string;
  name: string;
  organisation: string;
}

export type FormValues = Record<string, string | string[] | File | (string | File)[] | undefined>;

const s = (f: FormValues, k: string): string => {
  const v = f[k];
  return typeof v === 'string' ? v.trim() : '';
};
const opt = (f: FormValues, k: string) => s(f, k) || undefined;
const yes = (f: FormValues, k: string) => s(f, k) === 'yes';

/** Up to three agent rows: agent_kind_1 (staff | lawyer | adviser:<id>), agent_name_1. */
function agentsOf(f: FormValues, advisers: readonly Adviser[]) {
  const out: { name: string; kind: 'staff' | 'legal_adviser' | 'lawyer'; adviserId?: string }[] = [];
  for (let i = 1; i <= 3; i++) {
    const kind = s(f, `agent_kind_${i}`);
    const name = s(f, `agent_name_${i}`);
    if (!kind && !name) continue;
    if (kind.startsWith('adviser:')) {
      const a = advisers.find((x) => x.id === kind.slice('adviser:'.length));
      if (!a) throw new Problem('bad-request', `第 ${i} 位代理人：所选法律顾问不在本区法律顾问团队库中`);
      out.push({ name: name || a.name, kind: 'legal_adviser', adviserId: a.id });
    } else if (kind === 'staff' || kind === 'lawyer') {
      if (!name) throw new Problem('bad-request', `第 ${i} 位代理人：请填写姓名`);
      out.push({ name, kind });
    } else if (name) throw new Problem('bad-request', `第 ${i} 位代理人：请选择身份`);
  }
  return out;
}

const line = (name: string, label: string, required = true, more: { hint?: string; max?: number } = {}): Field => ({
  name,
  label,
  type: 'text',
  required,
  ...more,
});
const area = (name: string, label: string, required = true, more: { hint?: string; max?: number } = {}): Field => ({
  name,
  label,
  type: 'textarea',
  required,
  ...more,
});
const day = (name: string, label: string): Field => ({ name, label, type: 'date', required: true });
const yn = (name: string, label: string, yesLabel: string, noLabel: string): Field => ({ name, label, type: 'yesno', yes: yesLabel, no: noLabel });

/** The body of a form without a toBody of its own: text and dates by name (optional ones left out when empty), yes/no as booleans. */
function plainBody(fields: readonly Field[], f: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const x of fields) {
    if (x.type === 'yesno') body[x.name] = yes(f, x.name);
    else if (x.type === 'text' || x.type === 'textarea' || x.type === 'date') body[x.name] = x.required ? s(f, x.name) : opt(f, x.name);
  }
  return body;
}

/** What a posted step form means, as the body POST /v1/cases/{id}/steps/{kind} takes. */
export const bodyOf = (form: StepForm, f: FormValues): Record<string, unknown> =>
  form.toBody ? (form.toBody(f) as Record<string, unknown>) : plainBody(form.fields, f);

export function stepForms(advisers: readonly Adviser[]): Partial<Record<StepKind, StepForm>> {
  return {
    report_filed: { title: '报备收案', note: '收到起诉状副本后向司法局报备（S 五(三)）。', fields: [area('note', '说明（可不填）', false)] },
    routing_slip_issued: { title: '出具阅办单', note: '司法局出具阅办单，确定承办单位（P 第十条）。', fields: [area('note', '说明（可不填）', false)] },
    leader_signoff: {
      title: '领导审签',
      note: '分管领导审签阅办单；重大事项报主要负责人（B 第四条）。',
      fields: [line('leader', '审签领导'), line('post', '职务'), yn('major', '是否重大事项', '是，报主要负责人', '否'), day('signedOn', '审签日期')],
    },
    leader_instructions: {
      title: '领导批示反馈',
      note: '领导批示意见反馈承办单位（P 第七条(一)）。',
      fields: [line('leader', '批示领导'), area('instructions', '批示内容')],
    },
    appearance_registered: {
      title: '出庭报备',
      note: '报备出庭的负责人；负责人不能出庭的，写明理由并委托相应工作人员和法律顾问（法释〔2020〕3号 第8–9条，B 第十六条）。',
      fields: [
        yn('required', '本案是否要求负责人出庭', '是', '否'),
        line('requiredBecause', '要求出庭的依据（可不填）', false),
        line('headName', '出庭负责人姓名（负责人出庭时填写）', false),
        line('headPost', '出庭负责人职务', false),
        yn('principal', '是否正职负责人', '是', '否'),
        area('cannotReason', '负责人不能出庭的理由（不能出庭时填写）', false),
        { name: 'agents', label: '委托代理人（负责人不能出庭时，须含本机关工作人员）', type: 'agents', min: 0 },
      ],
      toBody: (f) => {
        const head = s(f, 'headName');
        const reason = s(f, 'cannotReason');
        if (!head && !reason) throw new Problem('bad-request', '请填写出庭负责人，或写明负责人不能出庭的理由和委托代理人');
        if (head && reason) throw new Problem('bad-request', '出庭负责人与“不能出庭的理由”只能填写其一');
        return {
          required: yes(f, 'required'),
          requiredBecause: opt(f, 'requiredBecause'),
          ...(head
            ? { head: { name: head, post: s(f, 'headPost'), principal: yes(f, 'principal') } }
            : { cannotAppear: { reason, agents: agentsOf(f, advisers) } }),
        };
      },
    },
    defence_draft_submitted: {
      title: '提交答辩状初稿',
      note: '答辩状初稿报司法局审核（P 第十一条）。',
      fields: [
        area('summary', '答辩要点', true, { hint: '写明答辩意见的要点，司法局据此审核。' }),
        { name: 'attachments', label: '答辩状初稿文件（可多选，合计不超过 8 MB）', type: 'files' },
      ],
    },
    defence_reviewed: {
      title: '审核答辩状',
      note: '司法局审核承办单位提交的答辩状初稿。',
      fields: [yn('result', '审核结果', '通过', '退回修改'), area('comments', '审核意见（退回时必填）', false)],
      toBody: (f) => ({ result: yes(f, 'result') ? 'passed' : 'returned', comments: opt(f, 'comments') }),
    },
    answer_filed: { title: '答辩举证', note: '向法院提交答辩状、证据和依据（行政诉讼法 第67条）。', fields: [day('filedOn', '提交日期')] },
    hearing_held: {
      title: '开庭情况',
      note: '开庭后反馈负责人是否出庭、是否发言（出庭又出声）以及出庭人员（S 四(二)）。',
      fields: [
        day('heldOn', '开庭日期'),
        yn('headAppeared', '负责人是否出庭', '出庭', '未出庭'),
        line('headName', '出庭负责人姓名', false),
        yn('principal', '是否正职负责人', '是', '否'),
        yn('spoke', '负责人是否发言', '发言', '未发言'),
        { name: 'agents', label: '出庭的代理人', type: 'agents', min: 0 },
      ],
      toBody: (f) => ({
        heldOn: s(f, 'heldOn'),
        headAppeared: yes(f, 'headAppeared'),
        headName: opt(f, 'headName'),
        principal: yes(f, 'headAppeared') ? yes(f, 'principal') : undefined,
        spoke: yes(f, 'spoke'),
        agents: agentsOf(f, advisers),
      }),
    },
    appeal_opinion: {
      title: '上诉意见',
      note: '收到判决后提出是否上诉的意见和理由（S 五(四)，B 第八条）。',
      fields: [yn('appeal', '是否建议上诉', '建议上诉', '不上诉'), area('reasons', '理由')],
    },
    appeal_decision: {
      title: '上诉决定',
      note: '政府（或司法局）对是否上诉作出决定。',
      fields: [yn('appeal', '决定', '上诉', '不上诉'), line('decidedBy', '决定人')],
    },
    decision_effective: {
      title: '裁判生效',
      note: '记录裁判生效的日期及依据，据此重新计算履行等时限。',
      fields: [day('effectiveOn', '生效日期'), area('reason', '生效依据（如上诉期满未上诉、二审判决送达）', true, { max: 500 })],
    },
    appeal_filed: { title: '提起上诉', note: '向法院提起上诉。', fields: [day('filedOn', '上诉日期')] },
    no_appeal_reasons: { title: '不上诉理由', note: '不上诉的，书面说明理由（P 第十三条(三)）。', fields: [area('reasons', '不上诉的理由')] },
    loss_report: {
      title: '败诉分析报告',
      note: '败诉案件报送分析报告，包括案件事实、裁判结果、整改建议和其他说明四部分（P 第十六条，B 第七条）。',
      fields: [
        area('facts', '一、基本案情'),
        area('result', '二、裁判结果及败诉原因'),
        area('recommendations', '三、整改措施和建议'),
        area('other', '四、其他需要说明的情况'),
      ],
    },
    three_ones_plan: {
      title: '“三个一”方案',
      note: '败诉后确定一名领导、一个专班、一套方案（P 第十四条(二)）。',
      fields: [line('leader', '牵头领导'), area('team', '工作专班'), area('plan', '工作方案')],
    },
    performance_done: {
      title: '履行完毕',
      note: '生效裁判履行完毕，附履行情况（P 第十五条(三)）。',
      fields: [day('doneOn', '履行完毕日期'), area('evidence', '履行情况及证明材料')],
    },
    appearance_situations: {
      title: '负责人出庭情形',
      note: '文书不能载明的负责人应出庭情形由司法局认定；提交后替换此前认定，全部不选即清除（法释〔2020〕3号 第4条，B 第十三条）。',
      fields: [{ name: 'situations', label: '认定的情形（可多选）', type: 'checks', options: BUREAU_SITUATIONS }, area('note', '认定依据')],
      toBody: (f) => {
        const v = f['situations'];
        const picked = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x !== '');
        return { situations: [...new Set(picked)], note: s(f, 'note') };
      },
    },
    major_case_flagged: {
      title: '列为重大案件',
      note: '重大、敏感案件报送风险评估。',
      fields: [area('reason', '列为重大案件的原因'), area('riskReport', '风险评估')],
    },
    archived: { title: '归档', note: '案件办结归档。', fields: [area('note', '说明（可不填）', false)] },
  };
}

/** The steps this principal records on a case page (as STEP_RULES allows its role). */
export function stepsFor(p: Principal): StepKind[] {
  return (Object.keys(STEP_RULES) as StepKind[]).filter((k) => p.role === 'admin' || (STEP_RULES[k].roles as string[]).includes(p.role));
}

const AgentRows: FC<{ kind: string; advisers: readonly Adviser[] }> = ({ kind, advisers }) => (
  <fieldset>
    <legend>代理人（最多 3 人）</legend>
    {[1, 2, 3].map((i) => (
      <div>
        <label for={`${kind}-agent-kind-${i}`} class="inline">
          {`第 ${i} 位身份`}
          <select id={`${kind}-agent-kind-${i}`} name={`agent_kind_${i}`}>
            <option value="">（不填）</option>
            <option value="staff">本机关工作人员</option>
            <option value="lawyer">律师</option>
            {advisers.map((a) => (
              <option value={`adviser:${a.id}`}>{`法律顾问：${a.name}（${a.organisation}）`}</option>
            ))}
          </select>
        </label>
        <label for={`${kind}-agent-name-${i}`} class="inline">
          姓名
          <input type="text" id={`${kind}-agent-name-${i}`} name={`agent_name_${i}`} maxlength={100} />
        </label>
      </div>
    ))}
  </fieldset>
);

export const StepFormView: FC<{ caseId: string; kind: StepKind; form: StepForm; advisers: readonly Adviser[]; today: string }> = ({
  caseId,
  kind,
  form,
  advisers,
  today,
}) => (
  <details class="form" data-step-form={kind}>
    <summary>{form.title}</summary>
    <p class="muted small">{form.note}</p>
    <form
      method="post"
      action={`/web/cases/${caseId}/steps/${kind}`}
      class="act"
      enctype={form.fields.some((f) => f.type === 'files') ? 'multipart/form-data' : undefined}
    >
      {form.fields.map((f) => {
        const id = `${kind}-${f.name}`;
        if (f.type === 'agents') return <AgentRows kind={kind} advisers={advisers} />;
        if (f.type === 'files')
          return (
            <label for={id}>
              {f.label}
              <input type="file" id={id} name={f.name} multiple />
            </label>
          );
        if (f.type === 'checks')
          return (
            <fieldset>
              <legend>{f.label}</legend>
              {f.options.map((o) => (
                <label>
                  <input type="checkbox" name={f.name} value={o.value} /> {o.label}
                </label>
              ))}
            </fieldset>
          );
        if (f.type === 'yesno')
          return (
            <fieldset>
              <legend>{f.label}</legend>
              <label class="inline">
                <input type="radio" name={f.name} value="yes" required /> {f.yes}
              </label>
              <label class="inline">
                <input type="radio" name={f.name} value="no" /> {f.no}
              </label>
            </fieldset>
          );
        return (
          <label for={id}>
            {f.label}
            {f.type === 'textarea' ? (
              <textarea id={id} name={f.name} rows={3} maxlength={f.max ?? 2000} required={!!f.required}></textarea>
            ) : f.type === 'date' ? (
              <input type="date" id={id} name={f.name} required={!!f.required} value={today} />
            ) : (
              <input type="text" id={id} name={f.name} maxlength={f.max ?? 100} required={!!f.required} />
            )}
            {f.hint ? <span class="muted small">{f.hint}</span> : null}
          </label>
        );
      })}
      <p>
        <button type="submit" class="primary">
          {`提交${form.title}`}
        </button>
      </p>
    </form>
  </details>
);

/** The files posted in a form's file field, as the API's attachments (base64). */
export async function filesOf(form: FormValues, name: string, max = 10): Promise<{ filename: string; mediaType: string; content: string }[]> {
  const v = form[name];
  const files = (Array.isArray(v) ? v : [v]).filter((x): x is File => typeof x === 'object' && x !== null && 'arrayBuffer' in x && x.size > 0);
  if (files.length > max) throw new Problem('bad-request', `附件最多 ${max} 个`);
  return Promise.all(
    files.map(async (f) => ({
      filename: f.name.slice(0, 200) || '附件',
      mediaType: (f.type || 'application/octet-stream').slice(0, 100),
      content: toBase64(new Uint8Array(await f.arrayBuffer())),
    })),
  );
}

/** Whether a step's form carries files (multipart, with the larger upload limit). */
export const UPLOAD_STEPS: readonly string[] = ['defence_draft_submitted'];
