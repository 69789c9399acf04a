/** The migrations this code expects (drizzle-kit's journal), for /readyz on every runtime. */
import journal from '../../migrations/meta/_journal.json' with { type: 'json' };

export const expectedMigrations: { tag: string; when: number }[] = journal.entries.map((e) => ({ tag: e.tag, when: e.when }));
