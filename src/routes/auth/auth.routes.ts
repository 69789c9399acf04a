/** Contracts: the OAuth 2.0 token endpoint and client administration. */
import { createRoute, z } from '@hono/zod-openapi';
import { guard } from '../../http/auth.js';
import { problemResponses } from '../../../schemas/api/common.js';
import { ROLES } from '../../services/clients.js';

export const TokenResponse = z
  .object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number().int(), scope: z.string() })
  .openapi('TokenResponse');

export const postToken = createRoute({
  method: 'post',
  path: '/v1/oauth/token',
  tags: ['Access 认证'],
  summary: 'OAuth 2.0 client credentials: an access token (ES256 JWT, 15 minutes) for a registered client',
  description:
    'application/x-www-form-urlencoded: grant_type=client_credentials, and either client_id + client_secret (or HTTP Basic), or client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer with client_assertion (private_key_jwt: iss = sub = client_id, aud = the gateway issuer or its token URL).',
  request: {
    body: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: z.object({
            grant_type: z.literal('client_credentials'),
            client_id: z.string().optional(),
            client_secret: z.string().optional(),
            client_assertion_type: z.string().optional(),
            client_assertion: z.string().optional(),
          }),
        },
      },
    },
  },
  responses: { 200: { description: 'Token', content: { 'application/json': { schema: TokenResponse } } }, ...problemResponses(400, 401, 408, 413, 429, 503) },
});

export const postClient = createRoute({
  method: 'post',
  path: '/v1/admin/clients',
  tags: ['Access 认证'],
  summary: 'Register a client; the secret is shown once',
  ...guard('admin'),
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            name: z.string().trim().min(1).max(200),
            role: z.enum(ROLES),
            scope: z
              .string()
              .trim()
              .min(1)
              .max(64)
              .describe('unit id | region code | sender code | court code | *; it must exist (a 400 names a scope that does not)'),
            jwks: z
              .object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) })
              .optional()
              .describe('public keys for private_key_jwt'),
            withSecret: z.boolean().optional(),
          }),
        },
      },
    },
  },
  responses: {
    201: { description: 'Registered', content: { 'application/json': { schema: z.object({ clientId: z.string(), clientSecret: z.string().optional() }) } } },
    ...problemResponses(400, 401, 403),
  },
});

export const postRevoke = createRoute({
  method: 'post',
  path: '/v1/admin/clients/{id}/revoke',
  tags: ['Access 认证'],
  summary: 'Revoke a client: its tokens stop working at once',
  ...guard('admin'),
  request: { params: z.object({ id: z.string() }) },
  responses: {
    200: { description: 'Revoked', content: { 'application/json': { schema: z.object({ clientId: z.string(), revoked: z.literal(true) }) } } },
    ...problemResponses(401, 403, 404),
  },
});
