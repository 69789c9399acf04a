// A region's policy = a preset + the region's overrides, deep-merged and validated again.
//
// Merge semantics (so an override reads like the part of the profile it changes):
// - plain objects merge key by key, recursively (rules and recurring are records keyed by rule id, so
//   `{ rules: { report: { period: { unit: 'working_day' } } } }` changes one field of one rule);
// - arrays and scalars replace (notify lists, triggers, reminders are given whole);
// - `undefined` leaves the preset's value; `null` is kept and will fail validation where not allowed;
// - a rule id the preset lacks adds a rule (it must then be complete); `enabled: false` switches one off.
import { z } from 'zod';
import { PRESETS, PRESET_IDS } from './presets.js';
import type { PresetId } from './presets.js';
import { policySchema } from './schema.js';
import type { Policy, PolicyInput } from './schema.js';

/** Arrays are replaced whole, so they stay complete; everything else may be partial. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export type PolicyOverrides = DeepPartial<PolicyInput>;

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    message: string,
    /** zod issues, each with its path into the merged policy (e.g. ['rules', 'defence-draft', 'period', 'n']). */
    readonly issues: readonly z.core.$ZodIssue[] = [],
  ) {
    super(message);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Deep merge as described at the top of this file; never mutates its arguments. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return structuredCloneSafe(base);
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(base)) out[k] = structuredCloneSafe(v);
    for (const [k, v] of Object.entries(override)) {
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
      out[k] = deepMerge(out[k], v);
    }
    return out;
  }
  return structuredCloneSafe(override);
}

function structuredCloneSafe(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(structuredCloneSafe);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = structuredCloneSafe(x);
    return out;
  }
  return v;
}

export function isPresetId(id: string): id is PresetId {
  return (PRESET_IDS as readonly string[]).includes(id);
}

export type ResolveResult = { success: true; policy: Policy } | { success: false; error: PolicyError };

/** Like resolvePolicy, without throwing. */
export function safeResolvePolicy(presetId: string, overrides?: unknown): ResolveResult {
  if (!isPresetId(presetId)) {
    return {
      success: false,
      error: new PolicyError(`unknown policy preset ${JSON.stringify(presetId)}; known: ${PRESET_IDS.join(', ')}`),
    };
  }
  if (overrides !== undefined && overrides !== null && !isPlainObject(overrides)) {
    return { success: false, error: new PolicyError('policy overrides must be an object') };
  }
  const merged = deepMerge(PRESETS[presetId], overrides ?? undefined);
  const parsed = policySchema.safeParse(merged);
  if (!parsed.success) {
    return {
      success: false,
      error: new PolicyError(`policy "${presetId}" is invalid after overrides:\n${z.prettifyError(parsed.error)}`, parsed.error.issues),
    };
  }
  return { success: true, policy: parsed.data };
}

/**
 * The preset with the region's overrides deep-merged on top, validated again. Throws PolicyError whose
 * message lists each problem with its path (e.g. `→ at rules["defence-draft"].period.n`).
 */
export function resolvePolicy(presetId: PresetId | string, overrides?: PolicyOverrides): Policy {
  const r = safeResolvePolicy(presetId, overrides);
  if (!r.success) throw r.error;
  return r.policy;
}
