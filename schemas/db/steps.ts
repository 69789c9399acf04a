/** Steps of a case worked to its end (issue 5 item 4): each an API call by the right role, recorded. */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { STEP_KINDS, type StepKind } from '../../src/domain/steps.js';

export const caseSteps = sqliteTable(
  'case_steps',
  {
    id: text('id').primaryKey(), // UUIDv7
    caseId: text('case_id').notNull(),
    kind: text('kind', { enum: STEP_KINDS as [StepKind, ...StepKind[]] }).notNull(), // src/domain/steps.ts STEP_SCHEMAS
    actorRole: text('actor_role').notNull(),
    actor: text('actor').notNull(),
    dataJson: text('data_json').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  // Also case_steps_held_on (json_extract(data_json, '$.heldOn'), case_id) where kind = 'hearing_held': an expression index,
  // made by the custom migration 0012 (drizzle-kit cannot write one for SQLite); used by the statistics.
  (t) => [index('case_steps_case').on(t.caseId, t.at)],
);
