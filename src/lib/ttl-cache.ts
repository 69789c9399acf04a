/**
 * Short-lived, process-local memo for the lookups every delivery makes (sender, directory version, calendar
 * version, region policy row). Writes made through this process clear it at once (`invalidateLookups`);
 * a change made by another process (the CLI on the same database) is seen within `ttlMs`.
 */
export class TtlCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();
  constructor(private readonly ttlMs = 1000) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = performance.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    const value = load();
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

import type { Deps } from '../deps.js';
import { slot } from './process-state.js';

const LOOKUPS = slot('lookups', () => new TtlCache());

/** Memoise a per-delivery lookup (see TtlCache). */
export function lookup<T>(deps: Deps, key: string, load: () => Promise<T>): Promise<T> {
  return deps.state.get(LOOKUPS).get(key, load);
}

/** After a local write to senders, the directory, the calendar or policies. */
export function invalidateLookups(deps: Deps): void {
  deps.state.get(LOOKUPS).clear();
}
