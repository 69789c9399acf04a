/**
 * BlobStore over R2: attachment bytes are written (key blobs/<sha256>) BEFORE the delivery's database batch,
 * so a committed delivery never points at missing bytes; bytes whose batch then failed are orphans, removed by
 * the sweep after a grace period when no attachment row refers to them.
 */
import type { R2Bucket } from '@cloudflare/workers-types';
import { inArray } from 'drizzle-orm';
import type { BlobStore, Db } from '../../src/deps.js';
import { documentAttachments } from '../../schemas/db/index.js';

export const ORPHAN_GRACE_MS = 60 * 60_000;
const key = (sha256: string) => `blobs/${sha256}`;

export function r2BlobStore(bucket: R2Bucket, db: Db): BlobStore & { sweepOrphans(now: Date): Promise<number> } {
  return {
    async stage(blobs) {
      for (const b of blobs) {
        // Content-addressed: an existing object already holds these bytes.
        if (!(await bucket.head(key(b.sha256)))) {
          await bucket.put(key(b.sha256), b.bytes, { httpMetadata: { contentType: b.mediaType }, sha256: b.sha256 });
        }
      }
      return [];
    },
    async get(sha256) {
      const obj = await bucket.get(key(sha256));
      return obj ? new Uint8Array(await obj.arrayBuffer()) : null;
    },
    async sweepOrphans(now) {
      let removed = 0;
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix: 'blobs/', limit: 500, ...(cursor ? { cursor } : {}) });
        const old = page.objects.filter((o) => now.getTime() - o.uploaded.getTime() > ORPHAN_GRACE_MS).map((o) => o.key.slice('blobs/'.length));
        if (old.length) {
          const used = new Set(
            (await db.orm.select({ sha256: documentAttachments.sha256 }).from(documentAttachments).where(inArray(documentAttachments.sha256, old))).map((r) => r.sha256),
          );
          const orphans = old.filter((s) => !used.has(s));
          if (orphans.length) {
            await bucket.delete(orphans.map(key));
            removed += orphans.length;
          }
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return removed;
    },
  };
}
