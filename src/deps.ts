/**
 * The ports: what the runtime-neutral core needs from the world. Each runtime's entry (adapters/node,
 * adapters/workers) builds these and calls createApp(deps). Nothing here imports node:* or cloudflare:*.
 */
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { BatchItem } from 'drizzle-orm/batch';
import type { JWK } from 'jose';
import type * as schema from '../schemas/db/index.js';
import type { SecretBox } from './lib/secret-box.js';
import type { RawStmt } from './lib/raw-insert.js';
import type { SignedEnvelope } from './intake/envelope.js';
import type { NotifyChannelAdapter } from './services/notifications.js';
import type { Writer } from './writer/types.js';
import type { ProcessState } from './lib/process-state.js';

export type Schema = typeof schema;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- libSQL's ResultSet and D1's D1Result differ
export type Orm = BaseSQLiteDatabase<'async', any, Schema>;
/** A drizzle builder, or a prepared insert of the hot write path (src/lib/raw-insert.ts). */
export type Stmt = BatchItem<'sqlite'> | RawStmt;

/**
 * What a plan may use to make its statements: drizzle's insert, update and delete builders, and nothing that reads.
 * A plan is synchronous, so it cannot run what it builds either: only the writer runs statements (in a batch).
 * Deps satisfies it; a pure planner (src/intake/plan.ts, the re-plan of src/services/obligations.ts) takes only this.
 */
export interface Statements {
  readonly db: { readonly orm: Pick<Orm, 'insert' | 'update' | 'delete'> };
}

/** Database port: a drizzle instance plus an atomic batch (libSQL and D1 both have db.batch). */
export interface Db {
  orm: Orm;
  /**
   * Run every statement in one transaction; all or nothing. Rejects with a WriteConflict (a unique or primary key
   * refused a row) or a StorageFailure (full, read-only, locked past the wait, I/O) from src/writer/types.ts,
   * made by the adapter from what its driver reports, or with the driver's own error for anything else.
   */
  batch(items: Stmt[]): Promise<void>;
  /**
   * Optional: a sequence of batches that may be sent before the one sent before them has committed. They run in
   * the order sent, each only if the one before it committed; otherwise it is refused with a WriteSkipped
   * (src/writer/types.ts), having written nothing. Given by a database whose batches run one after another in the
   * order they are sent (the embedded file's writer thread): the writer then prepares its next group of writes
   * while the last one commits. Without it, each group waits for the one before.
   */
  sequence?(): { batch(items: Stmt[]): Promise<void> };
  /**
   * Optional: where the database's own write thread spent its time (the embedded file's, adapters/db/libsql-writer.ts),
   * for /metrics. Absent where the database is elsewhere (D1, a remote libSQL server).
   */
  writerUsage?(): WriterUsage;
  /** Which migrations the code expects, and which the database has applied. */
  migrationStatus(): Promise<{ current: boolean; applied: number; expected: number }>;
  /** Cheap round trip for readiness. */
  ping(): Promise<void>;
}

/**
 * Where a write thread's time went since it was made: batches begun, and seconds waiting in BEGIN IMMEDIATE (another
 * connection's write lock), running statements, in COMMIT (writing and syncing the journal) and checkpointing. Their
 * sum over a span of wall time is how busy the write path was: near 1, every write waits for the ones before it.
 */
export interface WriterUsage {
  batches: number;
  checkpoints: number;
  seconds: { lockWait: number; statements: number; commit: number; checkpoint: number };
}

export interface BlobInput {
  sha256: string;
  bytes: Uint8Array;
  mediaType: string;
}

/** Attachment bytes, content-addressed by SHA-256. */
export interface BlobStore {
  /**
   * Make the blobs durable as part of a delivery's write. A store inside the database returns the
   * statements to put in the batch; an external store (R2) writes first and returns [].
   */
  stage(blobs: BlobInput[]): Promise<Stmt[]>;
  get(sha256: string): Promise<Uint8Array | null>;
  /**
   * The bytes live outside the database (R2), so the database's content commitment does not reach them: audit
   * verify reads each referenced blob back through get() and compares its SHA-256 with the committed one.
   */
  external?: true;
  /** An external store removes bytes no committed attachment refers to (the sweep calls it); returns how many. */
  sweepOrphans?(now: Date): Promise<number>;
}

export interface Clock {
  now(): Date;
}

/** The gateway's SM2 key (issue 22), when configured: receipts are then also signed SM2SM3. */
export interface Sm2SigningKey {
  kid: string;
  privateKeyHex: string;
  publicKeyHex: string;
  /** { kty: 'EC', crv: 'SM2', x, y, kid, alg: 'SM2SM3', use: 'sig' }, published in the JWKS. */
  publicJwk: JWK;
}

/** The gateway's own signing keys (ES256, and optionally SM2). */
export interface KeyStore {
  /** The SM2 key, if one is configured. */
  sm2?: Sm2SigningKey;
  /** The current signing key. */
  current(): Promise<{ kid: string; privateKey: CryptoKey; alg: 'ES256' }>;
  /** Every public key that may still verify something we signed (current and retired). */
  jwks(): Promise<{ keys: JWK[] }>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

/** Parses one wire format of POST /v1/deliveries into a SignedEnvelope. */
export interface EnvelopeFormat {
  /** Media types it handles, e.g. ['application/jose']. */
  mediaTypes: string[];
  parse(req: Request, opts: { maxBytes: number }): Promise<SignedEnvelope>;
}

/**
 * Outbound notifications: the adapter for each channel kind (adapters/notify: DingTalk, WeCom, signed webhook).
 * Only the outbox job (src/jobs/outbox.ts) uses it; no request handler sends anything.
 */
export interface Notifier {
  adapters: readonly NotifyChannelAdapter[];
  /** Timeout of one outbound request, in milliseconds (default 15 000). */
  timeoutMs?: number;
}

/** Revocation, OCSP and trusted-time settings (issue 22); src/lib/fetcher.ts has the defaults. */
export interface TrustConfig {
  /** Hosts (`host` or `host:port`) CRLs, OCSP responses and timestamps may be fetched from. Empty: none. */
  fetchAllowHosts: string[];
  fetchTimeoutMs: number;
  fetchRetries: number;
  /** An OCSP response counts as fresh this long after its thisUpdate (X-Road: 3,600 s). */
  ocspFreshnessSeconds: number;
  /** How often a CRL is fetched again at most (sooner when its nextUpdate comes first). */
  crlRefreshSeconds: number;
  /** How long a soft-fail delivery's certificates are checked again before giving up. */
  recheckDays: number;
  /** RFC 3161 time-stamping authority for receipts; unset: receipts are not timestamped. */
  tsaUrl?: string;
  /** At most one TSA request per this many seconds; the receipts of an interval share one token. */
  tsaIntervalSeconds: number;
}

export interface GatewayConfig {
  /** Revocation checking and trusted time; defaults in src/lib/fetcher.ts. */
  trust?: Partial<TrustConfig>;
  /** Accepted distance between a manifest's issuedAt and arrival, in seconds. */
  clockSkewSeconds: number;
  /** Largest request body accepted, in bytes (deliveries, whose attachments travel in the body). */
  bodyLimitBytes: number;
  /** Largest body of every other API endpoint (JSON, forms), in bytes; default 1 MiB. */
  jsonBodyLimitBytes?: number;
  /** Public base URL (for links in documents), optional. */
  publicUrl?: string;
  /** No longer used: every committed write group signs the audit head (issue #19). */
  checkpointEvery: number;
  /**
   * The bootstrap administrator token (with X-Actor naming the person): registers the first OAuth clients, which
   * then get their own access tokens from POST /v1/oauth/token (src/lib/auth.ts). Unset: only OAuth clients work.
   */
  adminToken?: string;
  /** The policy preset of a region that has not chosen one (src/domain/policy/presets.ts). */
  defaultPolicyPreset?: string;
  /** Deliveries received at once before 503 overloaded (default 64; src/http/admission.ts). */
  maxDeliveriesInFlight?: number;
  /** Request bytes those deliveries may buffer together before 503 overloaded (default 256 MiB). */
  maxBufferedBytes?: number;
  /**
   * The share of both bounds one source address may hold (defaults 32 deliveries and 128 MiB); past it that address
   * is answered 429 too-many-in-progress, and the rest stays free for everyone else.
   */
  maxDeliveriesPerAddress?: number;
  maxBufferedBytesPerAddress?: number;
  /**
   * The bytes every other request with a body may announce together (default 64 MiB), and one address's share (32
   * MiB): past either, 503 overloaded or 429 too-many-in-progress before the body is read.
   */
  maxRequestBodiesBytes?: number;
  maxRequestBodiesBytesPerAddress?: number;
  /**
   * The attachment bytes being sent to clients at once (default 256 MiB), and one address's share (128 MiB): past
   * either, a download is answered 503 overloaded or 429 too-many-in-progress before its bytes are loaded.
   */
  maxDownloadBytes?: number;
  maxDownloadBytesPerAddress?: number;
  /**
   * Every request's upload deadline (src/http/upload-deadline.ts): this long for its body (default 30 s), plus a
   * second for every `uploadMinBytesPerSecond` bytes received (default 16 KiB); past it 408 request-timeout.
   */
  uploadGraceSeconds?: number;
  uploadMinBytesPerSecond?: number;
}

export interface Deps {
  db: Db;
  /** Seals the channel secrets stored in the database, with a key kept outside it (src/lib/secret-box.ts). */
  secrets: SecretBox;
  blobs: BlobStore;
  clock: Clock;
  keys: KeyStore;
  log: Logger;
  config: GatewayConfig;
  envelopes: EnvelopeFormat[];
  notifier: Notifier;
  /** Outbound HTTP for trust material (CRL, OCSP, TSA) through src/lib/fetcher.ts; default: the global fetch. */
  fetch?: typeof fetch;
  /** The unit of work every stored fact changes through (src/writer/writer.ts): one per process. */
  writer: Writer;
  /** Process-local caches and counters, each in a slot its own module declares (src/lib/process-state.ts). */
  state: ProcessState;
}

/** What an entry point provides; createDeps (src/create-deps.ts) adds the writer and the process state. */
export type Ports = Omit<Deps, 'writer' | 'state'>;

export interface AppEnv {
  Variables: { deps: Deps; requestId: string };
}
