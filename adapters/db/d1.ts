/** Db port over Cloudflare D1 (binding). Migrations are applied by `wrangler d1 migrations apply` (same migrations/). */
import { drizzle } from 'drizzle-orm/d1';
import type { D1Database } from '@cloudflare/workers-types';
import * as schema from '../../schemas/db/index.js';
import type { Db, Orm, Stmt } from '../../src/deps.js';
import { statementOf } from '../../src/lib/raw-insert.js';
import { expectedMigrations } from './journal.js';
import { typedWriteError } from './sqlite-errors.js';

export function d1Db(binding: D1Database): Db {
  const orm = drizzle(binding as never, { schema });
  return {
    orm: orm as unknown as Orm,
    async batch(items: Stmt[]) {
      if (items.length === 0) return;
      // D1's batch runs the statements in one implicit transaction: all or nothing. Drizzle builders and prepared
      // inserts alike, bound as drizzle's own batch would bind them.
      try {
        await binding.batch(
          items.map((i) => {
            const q = statementOf(i);
            return binding.prepare(q.sql).bind(...q.args);
          }),
        );
      } catch (e) {
        throw typedWriteError(e);
      }
    },
    async ping() {
      await binding.prepare('select 1').first();
    },
    async migrationStatus() {
      let applied: string[] = [];
      try {
        const r = await binding.prepare('select name from d1_migrations order by id').all<{ name: string }>();
        applied = r.results.map((x) => x.name.replace(/\.sql$/, ''));
      } catch {
        applied = [];
      }
      const current = expectedMigrations.every((m) => applied.includes(m.tag));
      return { current, applied: applied.length, expected: expectedMigrations.length };
    },
  };
}
