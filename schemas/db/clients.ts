/**
 * Identity and access (docs/domain.md §1): registered clients (a unit's system or clerk, a justice bureau, a
 * government office, a court or procuratorate system, a cross-district liaison, an administrator), each with
 * one role and the scope it acts in. Secrets are kept only as slow salted hashes (PBKDF2-SHA256).
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { CLIENT_ROLES } from '../../src/domain/vocabulary.js';

export const clients = sqliteTable(
  'clients',
  {
    id: text('id').primaryKey(), // the OAuth client_id
    name: text('name').notNull(),
    role: text('role', { enum: CLIENT_ROLES }).notNull(),
    /** unit: the unit id; justice_bureau / government_office: the region code; court / procuratorate: the sender code; liaison: the court code. */
    scope: text('scope').notNull(),
    /** pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>; null for a private_key_jwt-only client. */
    secretHash: text('secret_hash'),
    /** Public JWKS (JSON) for private_key_jwt client authentication. */
    jwksJson: text('jwks_json'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('clients_role_scope').on(t.role, t.scope)],
);
