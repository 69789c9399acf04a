/**
 * Each region runs one policy profile (docs/domain.md §4): a preset from src/domain/policy/presets.ts plus the
 * region's validated overrides. Stored in region_policies; a region without a row runs the default preset.
 */
import type { Deps } from '../deps.js';
import { regionPolicies } from '../../schemas/db/index.js';
import { PRESET_IDS, resolvePolicy, safeResolvePolicy, type Policy } from '../domain/policy/index.js';
import { Problem } from '../lib/problem.js';

import { invalidateLookups, lookup } from '../lib/ttl-cache.js';
import { auditedUpsert } from './audit-rows.js';
import { slot } from '../lib/process-state.js';

/** Region policies, resolved once per content. */
const POLICIES = slot('policies', () => new Map<string, Policy>());

/** The national-rules baseline (Quzhou Kecheng's preset is the national rules plus what seed Q says). */
export const FALLBACK_PRESET = 'quzhou-kecheng';

/** Each region's policy as stored now (a region without a row: the default preset), for a plan to look up. */
export type PolicyBook = (regionCode: string | null) => { presetId: string; policy: Policy; chosen: boolean };

/**
 * Every region's policy as one read (one lookup, cached like the others: a local write clears it), resolved on
 * demand and kept by what it is made of, so a change is seen at once whatever the clock says.
 */
export async function policyBook(deps: Deps): Promise<PolicyBook> {
  const rows = await lookup(deps, 'region-policies', async () => new Map((await deps.db.orm.select().from(regionPolicies)).map((r) => [r.regionCode, r])));
  const fallback = deps.config.defaultPolicyPreset ?? FALLBACK_PRESET;
  const cache = deps.state.get(POLICIES);
  return (regionCode) => {
    const row = regionCode ? rows.get(regionCode) : undefined;
    const presetId = row?.presetId ?? fallback;
    const key = `${presetId}|${row?.overridesJson ?? '{}'}`;
    let policy = cache.get(key);
    if (!policy) {
      policy = resolvePolicy(presetId, row ? (JSON.parse(row.overridesJson) as object) : undefined);
      if (cache.size > 200) cache.clear();
      cache.set(key, policy);
    }
    return { presetId, policy, chosen: !!row };
  };
}

export async function regionPolicy(deps: Deps, regionCode: string | null): Promise<{ presetId: string; policy: Policy; chosen: boolean }> {
  return (await policyBook(deps))(regionCode);
}

export async function setRegionPolicy(deps: Deps, regionCode: string, input: { presetId: string; overrides?: unknown }, actor: string) {
  if (!/^\d{6}$/.test(regionCode)) throw new Problem('bad-request', `region code must have 6 digits, not "${regionCode}"`);
  if (!(PRESET_IDS as readonly string[]).includes(input.presetId))
    throw new Problem('bad-request', `unknown preset "${input.presetId}"; choose one of ${PRESET_IDS.join(', ')}`);
  const r = safeResolvePolicy(input.presetId, input.overrides ?? {});
  if (!r.success) {
    throw new Problem('invalid-policy', r.error.message, { errors: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  }
  const now = deps.clock.now();
  const overridesJson = JSON.stringify(input.overrides ?? {});
  await deps.writer.audited(
    [{ actor, action: 'policy.set', subject: `region:${regionCode}`, data: { regionCode, presetId: input.presetId, overrides: input.overrides ?? {} } }],
    async () => ({
      items: [
        auditedUpsert(
          deps,
          regionPolicies,
          [{ regionCode, presetId: input.presetId, overridesJson, updatedAt: now, updatedBy: actor }],
          [regionPolicies.regionCode],
          { presetId: input.presetId, overridesJson, updatedAt: now, updatedBy: actor },
        ),
      ],
      result: null,
    }),
  );
  invalidateLookups(deps);
  return { regionCode, presetId: input.presetId, policy: r.policy };
}
