/**
 * Deciding an item of the justice bureau's routing queue, one rule for the API and the pages: an unknown item is
 * 404; an item of another region's bureau is 403 before anything about it is said (docs/domain.md §3); then a
 * stand-alone suggestion or an item already decided is 409.
 */
import { eq } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { queueItems } from '../../schemas/db/index.js';
import { Problem } from '../lib/problem.js';
import type { Principal } from './clients.js';
import { queueItemActor } from './access.js';
import { assignCase, type AssignInput } from './assignments.js';

/** `check`: the caller's own checks of the input (a page's form), run only once the caller may decide the item. */
export async function assignQueueItem(deps: Deps, p: Principal, id: string, input: AssignInput, actor: string, check?: () => void) {
  const [item] = await deps.db.orm.select().from(queueItems).where(eq(queueItems.id, id));
  if (!item) throw new Problem('not-found', `no queue item with id ${id}`);
  const claim = queueItemActor(p, item);
  check?.();
  if (!item.caseId) throw new Problem('conflict', 'this queue item has no case (a stand-alone suggestion); it is handled by the suggestion workflow');
  if (item.status !== 'open') throw new Problem('conflict', `queue item ${id} was already resolved by ${item.resolvedBy}`);
  return { caseId: item.caseId, result: await assignCase(deps, item.caseId, input, actor, 'assign', claim) };
}
