import { applyD1Migrations, env, type D1Migration } from 'cloudflare:test';

// The same migrations/ as the Node runtime, applied to the test D1 (recorded in d1_migrations, as wrangler does).
const e = env as unknown as { DB: D1Database; TEST_MIGRATIONS: D1Migration[] };
await applyD1Migrations(e.DB, e.TEST_MIGRATIONS);
