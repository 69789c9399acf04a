/** The documents of a case, as the case page and its timeline list them. */
import { asc, eq } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { documents, routingDecisions } from '../../schemas/db/index.js';

/** Each document of a case with the routing rule and status it got, in the order the documents arrived. */
export const caseDocuments = (deps: Deps, caseId: string) =>
  deps.db.orm
    .select({
      id: documents.id,
      type: documents.type,
      title: documents.title,
      arrivedAt: documents.arrivedAt,
      rule: routingDecisions.rule,
      status: routingDecisions.status,
    })
    .from(routingDecisions)
    .innerJoin(documents, eq(documents.id, routingDecisions.documentId))
    .where(eq(routingDecisions.caseId, caseId))
    .orderBy(asc(documents.arrivedAt));
