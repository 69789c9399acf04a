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

/**
 * A download refused before its bytes are loaded (src/http/downloads.ts): past the gateway's budget of bytes being
 * sent (503 `overloaded`) or the caller's address's share of it (429 `too-many-in-progress`), both with Retry-After.
 */
export const downloadRefusals = {
  429: {
    description:
      'Too many attachment bytes being sent to your address at once (`too-many-in-progress`): ask again after `Retry-After` seconds, or once one of them has arrived',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
  503: {
    description: 'The gateway is sending as many attachment bytes as it may at once (`overloaded`): ask again after `Retry-After` seconds',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
};
