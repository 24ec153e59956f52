// GET /api/events: the audit trail across partnerships, one page at a time, filtered by
// partnership, actor, type and time (paging convention: `$top`, `continuationToken`, `nextLink`).
import { eventsQuerySchema } from '../../shared/api/schemas';
import { DEFAULTS } from '../../shared/config';
import { parseOrThrow } from '../../shared/partnership';
import type { StoredEvent } from '../../shared/tables';
import type { EntryPointContext } from './partnerships';

export interface EventsPage {
  events: StoredEvent[];
  continuationToken?: string;
  nextLink?: string;
}

/** `query`: the request's query parameters; `selfUrl`: the request URL, for `nextLink`. */
export async function listEvents(query: Record<string, string>, selfUrl: string, context: Pick<EntryPointContext, 'deployment'>): Promise<EventsPage> {
  const parsed = parseOrThrow(eventsQuerySchema, query, 'events query');
  const page = await context.deployment.repositories.events.page(
    {
      partnershipId: parsed.partnership,
      actor: parsed.actor,
      type: parsed.type,
      since: parsed.since ? new Date(parsed.since).toISOString() : undefined,
    },
    { top: parsed.$top ?? DEFAULTS.listPageSizeDefault, continuationToken: parsed.continuationToken },
  );
  if (!page.continuationToken) return { events: page.events };
  const next = new URL(selfUrl);
  next.searchParams.set('continuationToken', page.continuationToken);
  return { events: page.events, continuationToken: page.continuationToken, nextLink: next.toString() };
}
