/** Contracts of the directory administration API (regions, units, courts and the regions they serve). */
import { createRoute, z } from '@hono/zod-openapi';
import { guard } from '../../http/auth.js';
import { problemResponses } from '../../../schemas/api/common.js';
import { UNIT_KINDS } from '../../domain/routing/index.js';

const isoDate = z.iso.date();

export const UnitBody = z
  .object({
    regionCode: z.string().regex(/^\d{6}$/),
    name: z.string().min(1).max(200),
    aliases: z.array(z.string().min(1).max(200)).default([]).describe('Other names courts write, e.g. 区自然资源局'),
    kind: z.enum(UNIT_KINDS),
    entrustedBy: z.string().optional().describe('For an entrusted organisation: the entrusting unit id (B 第三条(三))'),
    abolishedOn: isoDate.optional(),
    successorId: z.string().optional().describe('The unit that now holds the powers (B 第三条(四))'),
    unitCode: z.string().optional().describe('统一社会信用代码'),
  })
  .openapi('DirectoryUnit');

const SaveResult = z.object({ version: z.number().int(), digest: z.string() }).openapi('DirectoryVersion');
const Snapshot = z
  .object({
    version: z.number().int(),
    digest: z.string(),
    createdAt: z.string().nullable(),
    note: z.string(),
    data: z.record(z.string(), z.unknown()).describe('The directory file (schemas/directory/demo-quzhou.json shows one)'),
  })
  .openapi('DirectorySnapshot');

export const getDirectory = createRoute({
  method: 'get',
  path: '/v1/admin/directory',
  tags: ['Directory 单位名录'],
  summary: 'The current directory (or ?version=N)',
  ...guard('admin'),
  request: { query: z.object({ version: z.coerce.number().int().min(1).optional() }) },
  responses: { 200: { description: 'Snapshot', content: { 'application/json': { schema: Snapshot } } }, ...problemResponses(401, 403) },
});

export const putDirectory = createRoute({
  method: 'put',
  path: '/v1/admin/directory',
  tags: ['Directory 单位名录'],
  summary: 'Replace the whole directory (set a region up in one step from a directory file)',
  ...guard('admin'),
  request: { body: { required: true, content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } } },
  responses: {
    200: { description: 'Saved as a new version', content: { 'application/json': { schema: SaveResult } } },
    ...problemResponses(400, 401, 403, 422),
  },
});

export const putUnit = createRoute({
  method: 'put',
  path: '/v1/admin/directory/units/{id}',
  tags: ['Directory 单位名录'],
  summary: 'Add or change a unit',
  ...guard('admin'),
  request: {
    params: z.object({ id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/) }),
    body: { required: true, content: { 'application/json': { schema: UnitBody } } },
  },
  responses: {
    200: { description: 'Saved as a new version', content: { 'application/json': { schema: SaveResult } } },
    ...problemResponses(400, 401, 403, 422),
  },
});

export const postAbolish = createRoute({
  method: 'post',
  path: '/v1/admin/directory/units/{id}/abolish',
  tags: ['Directory 单位名录'],
  summary: 'Record that a unit was abolished on a date, and who holds its powers now',
  ...guard('admin'),
  request: {
    params: z.object({ id: z.string() }),
    body: { required: true, content: { 'application/json': { schema: z.object({ on: isoDate, successorId: z.string().optional() }) } } },
  },
  responses: {
    200: { description: 'Saved as a new version', content: { 'application/json': { schema: SaveResult } } },
    ...problemResponses(400, 401, 403, 404, 422),
  },
});

export const postServedRegion = createRoute({
  method: 'post',
  path: '/v1/admin/directory/bodies/{code}/served-regions',
  tags: ['Directory 单位名录'],
  summary: 'A dated announcement: a court or procuratorate serves a region from a date (跨区域集中管辖)',
  ...guard('admin'),
  request: {
    params: z.object({ code: z.string() }),
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ regionCode: z.string().regex(/^\d{6}$/), from: isoDate, to: isoDate.optional() }) } },
    },
  },
  responses: {
    200: { description: 'Saved as a new version', content: { 'application/json': { schema: SaveResult } } },
    ...problemResponses(400, 401, 403, 404, 422),
  },
});
