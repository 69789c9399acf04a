/** Contracts: the regions' rosters of legal advisers (法律顾问团队库, Q 一(三)), from which agents are chosen. */
import { createRoute, z } from '@hono/zod-openapi';
import { guard } from '../../http/auth.js';
import { problemResponses } from '../../../schemas/api/common.js';

export const Adviser = z
  .object({ id: z.string(), regionCode: z.string(), name: z.string(), organisation: z.string(), active: z.boolean() })
  .openapi('LegalAdviser');

export const postAdviser = createRoute({
  method: 'post',
  path: '/v1/admin/regions/{code}/advisers',
  tags: ['Cases 案件'],
  summary: "Add a legal adviser to a region's roster (法律顾问团队库)",
  ...guard('admin'),
  request: {
    params: z.object({ code: z.string().regex(/^\d{6}$/) }),
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ name: z.string().trim().min(1).max(100), organisation: z.string().trim().min(1).max(200) }) } },
    },
  },
  responses: { 201: { description: 'Added', content: { 'application/json': { schema: Adviser } } }, ...problemResponses(400, 401, 403) },
});

export const listAdvisers = createRoute({
  method: 'get',
  path: '/v1/advisers',
  tags: ['Cases 案件'],
  summary: "A region's roster, to choose agents from",
  ...guard(),
  request: {
    query: z.object({
      region: z.string().regex(/^\d{6}$/),
      retired: z.enum(['true', 'false']).optional().openapi({ description: "true: also the retired advisers (the region's justice bureau only)" }),
    }),
  },
  responses: {
    200: { description: 'Roster', content: { 'application/json': { schema: z.object({ items: z.array(Adviser) }) } } },
    ...problemResponses(401, 403),
  },
});

const AdviserBody = z.object({ name: z.string().trim().min(1).max(100), organisation: z.string().trim().min(1).max(200) });

export const postRegionAdviser = createRoute({
  method: 'post',
  path: '/v1/advisers',
  tags: ['Cases 案件'],
  summary: "Add a legal adviser to the caller's region's roster (the justice bureau keeps it, Q 一(三))",
  ...guard('justice_bureau'),
  request: { body: { required: true, content: { 'application/json': { schema: AdviserBody.extend({ region: z.string().regex(/^\d{6}$/) }) } } } },
  responses: { 201: { description: 'Added', content: { 'application/json': { schema: Adviser } } }, ...problemResponses(400, 401, 403) },
});

export const patchAdviser = createRoute({
  method: 'patch',
  path: '/v1/advisers/{id}',
  tags: ['Cases 案件'],
  summary: 'Correct, retire (active: false) or restore a legal adviser of the roster',
  ...guard('justice_bureau'),
  request: {
    params: z.object({ id: z.string().min(1).max(64) }),
    body: { required: true, content: { 'application/json': { schema: AdviserBody.partial().extend({ active: z.boolean().optional() }) } } },
  },
  responses: { 200: { description: 'Changed', content: { 'application/json': { schema: Adviser } } }, ...problemResponses(400, 401, 403, 404) },
});
