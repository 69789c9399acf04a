/**
 * `npm run cli -- audit …`: the audit log's commands (called from cli.ts).
 *
 *   audit verify                        re-derive everything; name what does not match (exit 1)
 *   audit checkpoint                    sign the current head now (if no signed head covers it yet)
 *   audit prove --seq S [--size N]      an inclusion proof of record S in the tree of N records (default: the
 *                                       latest signed head), with that signed head, as JSON (--out FILE to save it)
 *   audit prove --first M [--second N]  a consistency proof from tree size M to N, with the signed head of N
 *   audit check FILE [--jwks FILE] [--receipt FILE]
 *                                       verify a proof from `audit prove` or the /v1/audit/proofs endpoints with NO
 *                                       database: the RFC 9162 hashes, the tree head's signature (--jwks: the
 *                                       gateway's /.well-known/jwks.json) and, with --receipt (a receipt's JWS, or
 *                                       the JSON POST /v1/deliveries answered), that the proof is about that receipt
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeJwt } from 'jose';
import { parseNodeConfig } from './config.js';
import { nodeDeps } from './deps.js';
import { jsonLogger } from './log.js';
import { latestTreeHead, proveConsistency, proveInclusion, verifyAuditChain } from '../../src/services/audit.js';
import { hexToBytes, leafHash, verifyConsistency, verifyInclusion } from '../../src/lib/merkle.js';
import { verifyWithJwks } from '../../src/lib/signing.js';
import { Problem } from '../../src/lib/problem.js';

type Out = (s: string) => void;

const USAGE = `usage: npm run cli -- audit verify | audit checkpoint
  audit prove --seq S [--size N] [--out FILE] | audit prove --first M [--second N] [--out FILE]
  audit check FILE [--jwks JWKS.json] [--receipt RECEIPT]`;

export async function runAuditCli(argv: string[], env: Record<string, string | undefined>, out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      seq: { type: 'string' },
      size: { type: 'string' },
      first: { type: 'string' },
      second: { type: 'string' },
      out: { type: 'string' },
      jwks: { type: 'string' },
      receipt: { type: 'string' },
    },
  });
  const [cmd, file] = positionals;
  if (cmd === 'check') {
    if (!file) {
      out(USAGE);
      return 2;
    }
    return checkProof(file, values, out);
  }
  if (cmd !== 'verify' && cmd !== 'checkpoint' && cmd !== 'prove') {
    out(USAGE);
    return 2;
  }
  const { deps, close } = await nodeDeps(parseNodeConfig(env), { log: jsonLogger('warn'), readOnly: cmd !== 'checkpoint' });
  try {
    if (cmd === 'verify') {
      const r = await verifyAuditChain(deps);
      if (r.ok) {
        out(
          `审计日志完整 audit chain intact: ${r.records} records, ${r.checkpoints} signed heads, ${r.rows} stored rows re-derived, head #${r.head.seq} ${r.head.hash} root ${r.head.root}`,
        );
        return 0;
      }
      out(`审计日志被篡改 audit log does not match (${r.problems.length}${r.problems.length === 50 ? '+' : ''} problems):`);
      for (const p of r.problems) out(`  ${p.reason}`);
      return 1;
    }
    if (cmd === 'checkpoint') {
      const head = await deps.writer.checkpoint();
      out(`signed audit head #${head.seq} root ${head.root}`);
      return 0;
    }
    const int = (s: string | undefined) => (s === undefined ? undefined : Number(s));
    let proof: Record<string, unknown>;
    if (values.seq) proof = { kind: 'inclusion', ...(await proveInclusion(deps, int(values.seq)!, int(values.size))) };
    else if (values.first) proof = { kind: 'consistency', ...(await proveConsistency(deps, int(values.first)!, int(values.second))) };
    else {
      out(USAGE);
      return 2;
    }
    const size = (proof.treeSize ?? proof.second) as number;
    const head = await latestTreeHead(deps);
    const signed = head && head.treeSize === size ? { treeSize: head.treeSize, rootHash: head.rootHash, jws: head.jws } : null;
    const text = JSON.stringify({ ...proof, ...(signed ? { treeHead: signed } : {}) }, null, 2);
    if (values.out) writeFileSync(values.out, text + '\n');
    else out(text);
    return 0;
  } catch (e) {
    if (e instanceof Problem) {
      out(e.message);
      return 2;
    }
    throw e;
  } finally {
    await close();
  }
}

interface Bundle {
  kind: 'inclusion' | 'consistency';
  seq?: number;
  leafIndex?: number;
  treeSize?: number;
  leafHash?: string;
  auditPath?: string[];
  rootHash?: string;
  first?: number;
  second?: number;
  consistency?: string[];
  firstRootHash?: string;
  secondRootHash?: string;
  treeHead?: { treeSize: number; rootHash: string; jws: string };
}

/** Verify a proof file with no database: hashes, tree-head signature, receipt. */
async function checkProof(file: string, opts: { jwks?: string; receipt?: string }, out: Out): Promise<number> {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Bundle;
  const kind = p.kind ?? (p.auditPath ? 'inclusion' : 'consistency');
  const fail = (why: string) => {
    out(`✗ ${why}`);
    return 1;
  };
  const size = kind === 'inclusion' ? p.treeSize! : p.second!;
  // The root to check against: the signed tree head's when there is one (its signature checked with --jwks).
  let root = kind === 'inclusion' ? p.rootHash : p.secondRootHash;
  if (p.treeHead) {
    if (p.treeHead.treeSize !== size) return fail(`the tree head is of size ${p.treeHead.treeSize}, the proof of ${size}`);
    root = p.treeHead.rootHash;
    if (opts.jwks) {
      try {
        const { payload } = await verifyWithJwks(p.treeHead.jws, JSON.parse(readFileSync(opts.jwks, 'utf8')));
        const sth = payload as { treeSize: number; rootHash: string };
        if (sth.treeSize !== size || sth.rootHash !== root) return fail('the signed tree head says another size or root than the proof');
      } catch {
        return fail('the tree head signature does not verify with the given JWKS');
      }
      out(`✓ tree head #${size} signed by the gateway (root ${root})`);
    }
  } else if (opts.jwks) return fail('the proof carries no signed tree head to check with the JWKS');
  if (!root) return fail('no root to check against');
  const receiptHead = opts.receipt ? readReceiptHead(opts.receipt) : null;
  if (receiptHead && opts.jwks) {
    try {
      await verifyWithJwks(readReceiptJws(opts.receipt!), JSON.parse(readFileSync(opts.jwks, 'utf8')));
    } catch {
      return fail('the receipt signature does not verify with the given JWKS');
    }
  }
  if (kind === 'inclusion') {
    let leaf = hexToBytes(p.leafHash!);
    if (receiptHead) {
      if (receiptHead.seq !== p.seq) return fail(`the receipt names record #${receiptHead.seq}, the proof #${p.seq}`);
      leaf = leafHash(hexToBytes(receiptHead.hash));
    }
    if (!verifyInclusion(leaf, p.leafIndex ?? p.seq! - 1, size, p.auditPath!.map(hexToBytes), hexToBytes(root)))
      return fail(`record #${p.seq} is NOT shown to be in the tree of ${size} records`);
    out(`✓ record #${p.seq}${receiptHead ? " (the receipt's)" : ''} is in the audit log of ${size} records (RFC 9162 inclusion proof)`);
    return 0;
  }
  let firstRoot = p.firstRootHash!;
  if (receiptHead) {
    if (receiptHead.seq !== p.first) return fail(`the receipt states tree size ${receiptHead.seq}, the proof starts at ${p.first}`);
    firstRoot = receiptHead.root;
  }
  if (!verifyConsistency(p.first!, size, p.consistency!.map(hexToBytes), hexToBytes(firstRoot), hexToBytes(root)))
    return fail(`the log of ${size} records is NOT shown to extend the log of ${p.first} records`);
  out(
    `✓ the audit log of ${size} records extends the log of ${p.first}${receiptHead ? ' the receipt committed to' : ''}: only appended to (RFC 9162 consistency proof)`,
  );
  return 0;
}

function readReceiptJws(file: string): string {
  const text = readFileSync(file, 'utf8').trim();
  return text.startsWith('{') ? (JSON.parse(text) as { jws: string }).jws : text;
}
function readReceiptHead(file: string): { seq: number; hash: string; root: string } {
  return (decodeJwt(readReceiptJws(file)) as unknown as { auditHead: { seq: number; hash: string; root: string } }).auditHead;
}
