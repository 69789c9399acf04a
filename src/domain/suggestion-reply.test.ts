import { describe, expect, it } from 'vitest';
import { suggestionReplyDue } from './suggestion-reply.js';

describe('suggestion reply deadline at intake', () => {
  it('a date the document states is the deadline, whatever the policy says (a stated date is a fact)', () => {
    const r = suggestionReplyDue({
      kind: 'judicial',
      arrivedAt: '2026-03-02T02:00:00Z',
      stated: '2026-04-15',
      policy: { dueOn: '2026-05-02', source: 'S 五(七)' },
    });
    expect(r).toEqual({ dueOn: '2026-04-15', origin: 'document', source: 'S 五(七)' });
  });

  it("else the region's policy rule decides, with the policy's own source", () => {
    const r = suggestionReplyDue({
      kind: 'procuratorial',
      arrivedAt: '2026-03-02T02:00:00Z',
      policy: { dueOn: '2026-05-02', source: '检察建议工作规定 2019' },
    });
    expect(r).toEqual({ dueOn: '2026-05-02', origin: 'policy', source: '检察建议工作规定 2019' });
  });

  it('without either, two months from the Beijing day of receipt (法释〔2023〕11号 第8条; 检察建议工作规定 2019)', () => {
    // 2026-03-01T16:30Z is 00:30 on 03-02 in Beijing: the months run from 03-02.
    expect(suggestionReplyDue({ kind: 'judicial', arrivedAt: '2026-03-01T16:30:00Z' })).toEqual({
      dueOn: '2026-05-02',
      origin: 'national_default',
      source: '法释〔2023〕11号 第8条',
    });
    expect(suggestionReplyDue({ kind: 'procuratorial', arrivedAt: '2026-03-01T15:59:00Z' })).toEqual({
      dueOn: '2026-05-01',
      origin: 'national_default',
      source: '检察建议工作规定 2019',
    });
  });

  it('two months from 12-31 end on the last day of February, never 03-03 (民法典 第202条)', () => {
    expect(suggestionReplyDue({ kind: 'judicial', arrivedAt: '2026-12-31T02:00:00Z' }).dueOn).toBe('2027-02-28');
    expect(suggestionReplyDue({ kind: 'judicial', arrivedAt: '2027-12-31T02:00:00Z' }).dueOn).toBe('2028-02-29');
  });
});
