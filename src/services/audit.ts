/**
 * The audit log: every state change appends records (seq, at, actor, action, subject, data digest, previous
 * hash, hash) in the same atomic batch as the change itself. hash = SHA-256 of the JCS form of
 * {seq, at, actor, action, subject, dataDigest, prevHash}: a hash chain.
 *
 * The writer (src/writer/writer.ts) appends them; this module reads them back: audit verify and the proofs.
 * Three more things make it evidence rather than our own say-so (issue #19):
 * - content: a write's statements are read by src/services/audit-rows.ts and one more record, "rows.written",
 *   commits to the content of every stored fact the write created or changed (audit verify re-derives them);
 * - a Merkle tree (RFC 9162, src/lib/merkle.ts) whose leaf i is SHA-256(0x00 || hash of record i+1), its nodes
 *   written in the same batch (audit_tree), so inclusion and consistency proofs can be served (src/routes/audit);
 * - a signed tree head (audit_checkpoints) in every committed batch: no record is ever unsigned once committed,
 *   so a truncated tail or a forged append is named by audit verify. A receipt states the head after its own
 *   records, root included, and is itself signed with the same key: each court holds a signed commitment to
 *   the whole history up to its delivery.
 */
import { asc, desc, gt, sql } from 'drizzle-orm';
import { compactVerify, createLocalJWKSet } from 'jose';
import type { Deps } from '../deps.js';
import { auditCheckpoints, auditLog } from '../../schemas/db/index.js';
import { sha256Hex, sha256HexSync } from '../lib/encoding.js';
import {
  appendLeaves,
  bytesToHex,
  consistencyProof,
  EMPTY_FRONTIER,
  frontierRoot,
  inclusionProof,
  recordLeaf,
  rootOf,
  withNodes,
  type Hash,
} from '../lib/merkle.js';
import { Problem } from '../lib/problem.js';
import { EMPTY_ROOT, GENESIS, recordHash, toBytes, treeNodes } from '../writer/log.js';
import type { AuditHead } from '../writer/types.js';
import { COVERED, keyOf, rowDiffers, rowsOf, type RowDigest } from './audit-rows.js';

export { auditedUpdate } from './audit-rows.js';
export { EMPTY_ROOT, GENESIS, recordHash, TREE_HEAD_TYP, treeNodes, type AuditRecord, type TreeHead } from '../writer/log.js';
export type { AuditEntry, AuditHead, WritePlan as AuditPlan } from '../writer/types.js';

/** The latest signed tree head (GET /v1/audit/tree-head). */
export async function latestTreeHead(deps: Deps): Promise<{ treeSize: number; rootHash: string; hash: string; at: string; jws: string } | null> {
  const [row] = await deps.db.orm
    .select()
    .from(auditCheckpoints)
    .where(sql`${auditCheckpoints.root} is not null`)
    .orderBy(desc(auditCheckpoints.seq))
    .limit(1);
  return row ? { treeSize: row.seq, rootHash: row.root!, hash: row.hash, at: row.at.toISOString(), jws: row.jws } : null;
}

/** What audit verify found wrong first: a record, the log's end, a signed head, a receipt, or a stored row. */
export interface AuditProblem {
  /** The audit record concerned, when there is one. */
  seq?: number;
  /** The stored row concerned: its table and id (primary key values joined with '/'). */
  table?: string;
  id?: string;
  reason: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  records: number;
  checkpoints: number;
  /** Stored rows whose content was re-derived and compared. */
  rows: number;
  head: AuditHead;
  firstBad?: AuditProblem;
  /** Every problem found (at most 50), in the order verify met them. */
  problems: AuditProblem[];
}

interface SignedHeadRow {
  seq: number;
  hash: string;
  root: string | null;
  jws: string;
}

/**
 * Recompute everything and name what does not match: each record's hash and link; the Merkle tree (stored nodes and
 * every signed head's root); the log's end against the signed heads (a missing tail, records no signature covers);
 * the head each receipt states; and the content of every stored fact against the latest record that wrote it
 * (changed, inserted outside the log, or deleted).
 */
export async function verifyAuditChain(deps: Deps, pageSize = 5000): Promise<AuditVerifyResult> {
  const problems: AuditProblem[] = [];
  const report = (p: AuditProblem) => {
    if (problems.length < 50) problems.push(p);
  };
  const jwks = createLocalJWKSet(await deps.keys.jwks());

  // Signed heads: each must verify with the gateway's keys and say what its row says.
  const heads = (await deps.db.orm.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.seq))) as SignedHeadRow[];
  const signedAt = new Map<number, SignedHeadRow>();
  for (const h of heads) {
    try {
      const { payload } = await compactVerify(h.jws, jwks, { algorithms: ['ES256'] });
      const p = JSON.parse(new TextDecoder().decode(payload)) as { seq?: number; treeSize?: number; hash: string; rootHash?: string };
      if ((p.treeSize ?? p.seq) !== h.seq || p.hash !== h.hash || (p.rootHash ?? null) !== h.root) {
        report({ seq: h.seq, reason: `signed head #${h.seq}: the signed content differs from the stored row` });
        continue;
      }
    } catch {
      report({ seq: h.seq, reason: `signed head #${h.seq}: the signature does not verify with the gateway keys` });
      continue;
    }
    signedAt.set(h.seq, h);
  }
  const lastSigned = Math.max(0, ...signedAt.keys());

  // The heads the receipts state, by sequence number.
  const receiptRows = (await deps.db.orm.all(
    sql`select id, case when json_valid(receipt_json) then json_extract(receipt_json, '$.auditHead') end as head from deliveries`,
  )) as { id: string; head: string | null }[];
  const receiptsAt = new Map<number, { id: string; hash?: string; root?: string }[]>();
  for (const r of receiptRows) {
    const h = r.head ? (JSON.parse(r.head) as { seq?: number; hash?: string; root?: string }) : null;
    if (!h || typeof h.seq !== 'number') continue; // the delivery row's own digest names a damaged receipt
    const list = receiptsAt.get(h.seq) ?? [];
    list.push({ id: r.id, hash: h.hash, root: h.root });
    receiptsAt.set(h.seq, list);
  }

  // Records, in order, with the tree grown beside them.
  let prev: AuditHead = { seq: 0, hash: GENESIS, root: EMPTY_ROOT };
  let frontier = EMPTY_FRONTIER;
  let count = 0;
  let lastGoodSigned = 0;
  const committed = new Map<string, { seq: number; row: RowDigest }>();
  for (;;) {
    const rows = await deps.db.orm.select().from(auditLog).where(gt(auditLog.seq, prev.seq)).orderBy(asc(auditLog.seq)).limit(pageSize);
    if (rows.length === 0) break;
    const from = rows[0]!.seq - 1;
    const to = rows.at(-1)!.seq - 1;
    const stored = new Map(
      (
        (await deps.db.orm.all(sql`select key, hash from audit_tree where key between ${from * 64} and ${to * 64 + 63}`)) as { key: number; hash: unknown }[]
      ).map((n) => [Number(n.key), bytesToHex(toBytes(n.hash))]),
    );
    for (const r of rows) {
      if (r.seq !== prev.seq + 1) report({ seq: r.seq, reason: `record #${r.seq}: sequence gap, records #${prev.seq + 1}…#${r.seq - 1} are missing` });
      if (r.prevHash !== prev.hash) report({ seq: r.seq, reason: `record #${r.seq}: prevHash does not match the hash of record #${prev.seq}` });
      if (sha256HexSync(r.data) !== r.dataDigest) report({ seq: r.seq, reason: `record #${r.seq}: data does not match its digest` });
      if (recordHash(r) !== r.hash) report({ seq: r.seq, reason: `record #${r.seq}: hash does not match the record` });
      const grown = appendLeaves(frontier, [recordLeaf(r.hash)]);
      frontier = grown.frontier;
      for (const n of grown.stored) {
        const have = stored.get(n.key);
        if (have !== bytesToHex(n.hash))
          report({
            seq: r.seq,
            reason: `record #${r.seq}: ${have ? 'the stored Merkle tree differs from the record (record or tree rewritten)' : 'its Merkle tree node is missing'}`,
          });
      }
      prev = { seq: r.seq, hash: r.hash, root: '' };
      count++;
      const sth = signedAt.get(r.seq);
      const receipts = receiptsAt.get(r.seq);
      if (sth || receipts) {
        const root = bytesToHex(frontierRoot(frontier));
        if (sth) {
          if (sth.hash !== r.hash || (sth.root !== null && sth.root !== root))
            report({ seq: r.seq, reason: `signed head #${r.seq} does not match the log: a record after #${lastGoodSigned} and up to #${r.seq} was rewritten` });
          else lastGoodSigned = r.seq;
        }
        for (const rc of receipts ?? [])
          if (rc.hash !== r.hash || (rc.root !== undefined && rc.root !== root))
            report({
              seq: r.seq,
              table: 'deliveries',
              id: rc.id,
              reason: `the receipt of delivery ${rc.id} states a head #${r.seq} the log does not have: the log was rewritten up to #${r.seq}`,
            });
      }
      if (r.action === 'rows.written') {
        try {
          for (const row of (JSON.parse(r.data) as { rows: RowDigest[] }).rows) {
            const k = `${row.t}\u0000${row.k}`;
            if (row.n && committed.has(k)) continue; // an insert that did nothing: the row was there
            committed.set(k, { seq: r.seq, row });
          }
        } catch {
          // its digest check above names it
        }
      }
    }
  }
  const head: AuditHead = { ...prev, root: bytesToHex(frontierRoot(frontier)) };

  // The log's end against the signed heads.
  if (lastSigned > head.seq)
    report({ seq: head.seq + 1, reason: `missing tail: records #${head.seq + 1}…#${lastSigned} were removed (the signed head #${lastSigned} covers them)` });
  else if (head.seq > lastSigned)
    report({
      seq: lastSigned + 1,
      reason: `records #${lastSigned + 1}…#${head.seq} were appended after the last signed head (#${lastSigned}): no signature covers them`,
    });
  for (const [seq, list] of receiptsAt)
    if (seq > head.seq)
      for (const rc of list)
        report({
          seq,
          table: 'deliveries',
          id: rc.id,
          reason: `the receipt of delivery ${rc.id} states head #${seq}, beyond the end of the log (#${head.seq}): records were removed`,
        });

  // Stored facts against what the log committed to.
  let rowCount = 0;
  for (const ct of COVERED) {
    for await (const row of rowsOf(deps, ct)) {
      rowCount++;
      const id = keyOf(ct, row);
      const k = `${ct.name}\u0000${id}`;
      const c = committed.get(k);
      if (!c) {
        report({ table: ct.name, id, reason: `${ct.name} ${id}: not in the audit log (stored outside an audited write)` });
        continue;
      }
      committed.delete(k);
      if (c.row.x) {
        report({
          seq: c.seq,
          table: ct.name,
          id,
          reason: `${ct.name} ${id}: present, but audit record #${c.seq} deleted it (stored outside an audited write)`,
        });
        continue;
      }
      const { differs, columns: differ } = rowDiffers(ct, row, c.row);
      if (differs)
        report({
          seq: c.seq,
          table: ct.name,
          id,
          reason: `${ct.name} ${id}: ${differ.length ? differ.join(', ') : 'its content'} differ${differ.length > 1 ? '' : 's'} from what audit record #${c.seq} committed to`,
        });
    }
  }
  for (const [, c] of committed)
    if (!c.row.x) report({ seq: c.seq, table: c.row.t, id: c.row.k, reason: `${c.row.t} ${c.row.k}: deleted (audit record #${c.seq} wrote it)` });

  // Bytes outside the database (R2): each blob a committed row refers to, read back and hashed.
  if (deps.blobs.external) rowCount += await verifyExternalBlobs(deps, report);

  return {
    ok: problems.length === 0,
    records: count,
    checkpoints: heads.length,
    rows: rowCount,
    head,
    ...(problems[0] ? { firstBad: problems[0] } : {}),
    problems,
  };
}

/**
 * Every blob a stored row refers to (an attachment of a document, of a recorded step, of a suggestion's draft; the
 * rows themselves are covered above, so the SHA-256s they name are the committed ones) is read through the blob
 * store and its bytes hashed: a changed byte, or a missing object, is named by the blob's SHA-256. Returns how
 * many blobs were read.
 */
async function verifyExternalBlobs(deps: Deps, report: (p: AuditProblem) => void): Promise<number> {
  const json = (column: string) => sql.raw(`json_each(case when json_valid(${column}) then ${column} else '{}' end, '$.attachments')`);
  const refs = (await deps.db.orm.all(sql`
    select sha256, 'document_attachments ' || document_id || '/' || attachment_id as ref from document_attachments
    union all
    select json_extract(a.value, '$.sha256'), 'case_steps ' || s.id from case_steps s, ${json('s.data_json')} a
    union all
    select json_extract(a.value, '$.sha256'), 'suggestion_steps ' || s.id from suggestion_steps s, ${json('s.data_json')} a
  `)) as { sha256: unknown; ref: string }[];
  const byBlob = new Map<string, string[]>();
  for (const r of refs) if (typeof r.sha256 === 'string') byBlob.set(r.sha256, [...(byBlob.get(r.sha256) ?? []), r.ref]);
  for (const [sha, by] of byBlob) {
    const bytes = await deps.blobs.get(sha);
    const whose = `referred to by ${by.slice(0, 3).join(', ')}${by.length > 3 ? ` and ${by.length - 3} more` : ''}`;
    if (!bytes) report({ table: 'blobs', id: sha, reason: `blobs ${sha}: missing from the external blob store (${whose})` });
    else if ((await sha256Hex(bytes)) !== sha)
      report({ table: 'blobs', id: sha, reason: `blobs ${sha}: its bytes in the external blob store differ from their SHA-256 (${whose})` });
  }
  return byBlob.size;
}

/** An inclusion proof (RFC 9162 §2.1.3) of audit record `seq` (leaf seq − 1) in the tree of `treeSize` leaves. */
export interface InclusionProof {
  seq: number;
  leafIndex: number;
  treeSize: number;
  /** SHA-256(0x00 || the 32 bytes of the record's hash), hex. */
  leafHash: string;
  /** The audit path, hex, from the leaf's sibling upwards (RFC 9162 PATH). */
  auditPath: string[];
  /** The root the path leads to, as the gateway computes it: a verifier compares its own signed root, not this. */
  rootHash: string;
}

/** A consistency proof (RFC 9162 §2.1.4) between the trees of `first` and `second` leaves. */
export interface ConsistencyProof {
  first: number;
  second: number;
  consistency: string[];
  firstRootHash: string;
  secondRootHash: string;
}

/**
 * The size proofs may speak of: the latest signed head's (every committed record is under one). One indexed read,
 * as plain SQL: a query builder per proof made a proof's garbage (and its collector pauses) about twice as large.
 */
async function provableSize(deps: Deps): Promise<number> {
  const [row] = (await deps.db.orm.all(sql`select seq from audit_checkpoints where root is not null order by seq desc limit 1`)) as { seq: number }[];
  return row ? Number(row.seq) : 0;
}

/**
 * Nodes at this level and above are kept in memory once read: a stored node never changes (it is the hash of a
 * complete subtree), and every proof needs a few of them (the upper part of its path, the roots it folds). At
 * 10,000,000 records there are ~20,000 of them (N / 2^9), about 2 MiB. The nodes below it, which differ from
 * one proof to the next, are read from the database, all in one read of the pages around one leaf.
 */
const CACHED_LEVEL = 10;
const nodeCaches = new WeakMap<object, Map<number, Hash>>();

/** Stored nodes for a proof: the cached upper levels, and ONE read for the rest (remembering the upper ones it got). */
const fetcher = (deps: Deps) => async (keys: number[]) => {
  let cache = nodeCaches.get(deps.db);
  if (!cache) nodeCaches.set(deps.db, (cache = new Map()));
  const out = new Map<number, Hash>();
  const missing: number[] = [];
  for (const k of keys) {
    const h = cache.get(k);
    if (h) out.set(k, h);
    else missing.push(k);
  }
  if (missing.length === 0) return out;
  const got = await treeNodes(deps.db, missing);
  for (const [k, h] of got) {
    out.set(k, h);
    if (k % 64 >= CACHED_LEVEL) cache.set(k, h);
  }
  return out;
};

export async function proveInclusion(deps: Deps, seq: number, treeSize?: number): Promise<InclusionProof> {
  const max = await provableSize(deps);
  const size = treeSize ?? max;
  if (!Number.isSafeInteger(seq) || seq < 1) throw new Problem('bad-request', 'seq must be an audit record number, 1 or more');
  if (!Number.isSafeInteger(size) || size < seq) throw new Problem('bad-request', `treeSize must be at least seq (${seq})`);
  if (size > max) throw new Problem('not-found', `the log has ${max} signed records; treeSize ${size} is beyond it`);
  const p = await withNodes(fetcher(deps), (get) => ({ leaf: get(0, seq - 1), path: inclusionProof(get, seq - 1, size), root: rootOf(get, size) }));
  return { seq, leafIndex: seq - 1, treeSize: size, leafHash: bytesToHex(p.leaf), auditPath: p.path.map(bytesToHex), rootHash: bytesToHex(p.root) };
}

export async function proveConsistency(deps: Deps, first: number, second?: number): Promise<ConsistencyProof> {
  const max = await provableSize(deps);
  const size = second ?? max;
  if (!Number.isSafeInteger(first) || first < 1) throw new Problem('bad-request', 'first must be a tree size, 1 or more');
  if (!Number.isSafeInteger(size) || size < first) throw new Problem('bad-request', `second must be at least first (${first})`);
  if (size > max) throw new Problem('not-found', `the log has ${max} signed records; tree size ${size} is beyond it`);
  const p = await withNodes(fetcher(deps), (get) => ({ proof: consistencyProof(get, first, size), first: rootOf(get, first), second: rootOf(get, size) }));
  return { first, second: size, consistency: p.proof.map(bytesToHex), firstRootHash: bytesToHex(p.first), secondRootHash: bytesToHex(p.second) };
}
