/** Node: this process as a lease holder, and whether another holder's process is gone (for reclaimLeases). */
import { hostname } from 'node:os';

export const nodeLeaseHolder = (): string => `node:${hostname()}:${process.pid}`;

/**
 * A holder is gone when it names this host and a pid that no longer runs. A holder on another host, or of another
 * kind, is never called gone: its lease runs out by itself (OUTBOX_LEASE_MS).
 */
export function nodeHolderIsGone(holder: string): boolean {
  const m = /^node:(.+):(\d+)$/.exec(holder);
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
