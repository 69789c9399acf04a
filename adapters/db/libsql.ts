/** Db port over libSQL: an embedded file (`file:`), or a remote Turso/libSQL server. */
import { drizzle } from 'drizzle-orm/libsql';
import { sql } from 'drizzle-orm';
import type { Client, InStatement } from '@libsql/client';
import { statementOf } from '../../src/lib/raw-insert.js';
import * as schema from '../../schemas/db/index.js';
import type { Db, Orm, Stmt, WriterUsage } from '../../src/deps.js';
import { expectedMigrations } from './journal.js';
import { typedWriteError } from './sqlite-errors.js';

/** The embedded file's write connection (adapters/db/libsql-writer.ts): batches run in the order they are sent. */
interface OrderedWriter {
  send(statements: { sql: string; args: unknown[] }[], after?: number): { id: number; done: Promise<void> };
  usage(): WriterUsage;
}

export function libsqlDb(client: Client, writer?: OrderedWriter): Db {
  const orm = drizzle(client, { schema });
  /** A batch sent to the write connection, settled with its failure typed. */
  const settled = async (sent: { done: Promise<void> }): Promise<void> => {
    try {
      await sent.done;
    } catch (e) {
      throw typedWriteError(e);
    }
  };
  return {
    orm: orm as unknown as Orm,
    ...(writer
      ? {
          writerUsage: () => writer.usage(),
          sequence() {
            let last: number | undefined;
            return {
              batch(items: Stmt[]) {
                // The id is taken now: the next batch of the sequence may be sent before this one has settled.
                const sent = writer.send(items.map(statementOf), last);
                last = sent.id;
                return settled(sent);
              },
            };
          },
        }
      : {}),
    async batch(items: Stmt[]) {
      if (items.length === 0) return;
      if (writer) return settled(writer.send(items.map(statementOf)));
      try {
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
