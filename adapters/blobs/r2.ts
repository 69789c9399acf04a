/**
 * BlobStore over R2: attachment bytes are written BEFORE the delivery's database batch, so a committed
 * delivery never points at missing bytes; bytes whose batch then failed are orphans, removed by the sweep.
 *
 * Scheme: key `blobs/<sha256 hex>` (content-addressed; R2 checks the digest on put), Content-Type from the
 * manifest. An object is an orphan when it was uploaded more than ORPHAN_GRACE_MS ago and no row of
 * `document_attachments` has its sha256. The grace period covers a delivery between its R2 write and its
 * batch; `stage` rewrites an existing object older than half the grace period, so bytes a delivery is about
 * to refer to are always young when its batch commits.
 */
import type { R2Bucket } from '@cloudflare/workers-types';
import { inArray } from 'drizzle-orm';
import type { BlobStore, Db } from '../../src/deps.js';
import { documentAttachments } from '../../schemas/db/index.js';

export const ORPHAN_GRACE_MS = 60 * 60_000;
export const R2_PREFIX = 'blobs/';
const key = (sha256: string) => `${R2_PREFIX}${sha256}`;
/** D1 allows 100 bound parameters per query. */
const IN_CHUNK = 90;

export function r2BlobStore(
  bucket: R2Bucket,
  db: Db,
  clock: { now(): Date } = { now: () => new Date() },
): BlobStore & { sweepOrphans(now: Date): Promise<number> } {
  return {
    external: true,
    async stage(blobs) {
      const seen = new Set<string>();
      for (const b of blobs) {
        if (seen.has(b.sha256)) continue;
        seen.add(b.sha256);
        const head = await bucket.head(key(b.sha256));
        // Content-addressed: a young object already holds these bytes; an old one is written again so the
        // sweep cannot take it for an orphan before this delivery's batch commits.
        if (head && clock.now().getTime() - head.uploaded.getTime() < ORPHAN_GRACE_MS / 2) continue;
        await bucket.put(key(b.sha256), b.bytes, { httpMetadata: { contentType: b.mediaType }, sha256: b.sha256 });
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
        const page = await bucket.list({ prefix: R2_PREFIX, limit: 500, ...(cursor ? { cursor } : {}) });
        const old = page.objects.filter((o) => now.getTime() - o.uploaded.getTime() > ORPHAN_GRACE_MS).map((o) => o.key.slice(R2_PREFIX.length));
        const orphans: string[] = [];
        for (let i = 0; i < old.length; i += IN_CHUNK) {
          const chunk = old.slice(i, i + IN_CHUNK);
          const rows = await db.orm.select({ sha256: documentAttachments.sha256 }).from(documentAttachments).where(inArray(documentAttachments.sha256, chunk));
          const used = new Set(rows.map((r) => r.sha256));
          orphans.push(...chunk.filter((s) => !used.has(s)));
        }
        // R2 deletes up to 1000 keys in one call; a page holds at most 500.
        if (orphans.length) {
          await bucket.delete(orphans.map(key));
          removed += orphans.length;
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return removed;
    },
  };
}
