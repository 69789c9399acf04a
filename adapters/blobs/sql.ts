/** Default BlobStore: bytes in the database, written in the delivery's own batch (content-addressed). */
import { eq } from 'drizzle-orm';
import type { BlobStore, Db } from '../../src/deps.js';
import { blobs } from '../../schemas/db/index.js';
import { insertRows } from '../../src/lib/raw-insert.js';

export function sqlBlobStore(db: Db, clock: { now(): Date }): BlobStore {
  return {
    async stage(items) {
      const seen = new Set<string>();
      return items
        .filter((b) => !seen.has(b.sha256) && seen.add(b.sha256))
        .map((b) => insertRows(blobs, [{ sha256: b.sha256, size: b.bytes.length, bytes: b.bytes, createdAt: clock.now() }], { onConflictDoNothing: true }));
    },
    async get(sha256) {
      const [row] = await db.orm.select({ bytes: blobs.bytes }).from(blobs).where(eq(blobs.sha256, sha256));
      return row ? new Uint8Array(row.bytes) : null;
    },
  };
}
