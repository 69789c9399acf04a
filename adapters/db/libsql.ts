/** Db port over libSQL: an embedded file (`file:`), or a remote Turso/libSQL server. */
import { drizzle } from 'drizzle-orm/libsql';
import { sql } from 'drizzle-orm';
import type { Client, InStatement } from '@libsql/client';
import { statementOf } from '../../src/lib/raw-insert.js';
import * as schema from '../../schemas/db/index.js';
import type { Db, Orm, Stmt } from '../../src/deps.js';
import { expectedMigrations } from './journal.js';
import { typedWriteError } from './sqlite-errors.js';

/** The embedded file's write connection (adapters/db/libsql-writer.ts): batches run in the order they are sent. */
interface OrderedWriter {
  batch(statements: { sql: string; args: unknown[] }[]): Promise<void>;
  send(statements: { sql: string; args: unknown[] }[], after?: number): { id: number; done: Promise<void> };
}

export function libsqlDb(client: Client, writer?: OrderedWriter): Db {
  const orm = drizzle(client, { schema });
  return {
    orm: orm as unknown as Orm,
    ...(writer
      ? {
          sequence() {
            let last: number | undefined;
            return {
              async batch(items: Stmt[]) {
                const sent = writer.send(items.map(statementOf), last);
                last = sent.id;
                try {
                  await sent.done;
                } catch (e) {
                  throw typedWriteError(e);
                }
              },
            };
          },
        }
      : {}),
    async batch(items: Stmt[]) {
      if (items.length === 0) return;
      try {
        if (writer) return await writer.batch(items.map(statementOf));
        // Drizzle builders and prepared inserts alike: the statements drizzle's batch would send, one write transaction.
        await client.batch(
          items.map((i) => statementOf(i) as InStatement),
          'write',
        );
      } catch (e) {
        throw typedWriteError(e);
      }
    },
    async ping() {
      await client.execute('select 1');
    },
    async migrationStatus() {
      let applied: { created_at: number }[] = [];
      try {
        applied = (await orm.all(sql`select created_at from __drizzle_migrations order by created_at`)) as { created_at: number }[];
      } catch {
        applied = [];
      }
      const last = expectedMigrations.at(-1);
      const current = applied.length >= expectedMigrations.length && (!last || applied.some((a) => Number(a.created_at) === last.when));
      return { current, applied: applied.length, expected: expectedMigrations.length };
    },
  };
}
