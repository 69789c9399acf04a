/** Shapes shared by every route's contract. */
import { z } from '@hono/zod-openapi';

export const ProblemSchema = z
  .object({
    type: z.string().describe('Stable problem type, urn:fuyuan:problem:<slug>'),
    title: z.string().describe('中文 (English)'),
    titleZh: z.string(),
    titleEn: z.string(),
    status: z.number().int(),
    detail: z.string().describe('What is wrong and what to fix'),
    instance: z.string().optional().describe('The request id'),
  })
  .passthrough()
  .openapi('Problem');

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [s, { description: 'Refused: see `type` and `detail`', content: { 'application/problem+json': { schema: ProblemSchema } } }]),
  );
