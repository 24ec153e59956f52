// Paged lists of the API, one convention for every list route: `?$top=N` (default 50, at most 200)
// and `?continuationToken=…` (handed out by the previous page); the answer is
// `{ "<items>": [...], "continuationToken"?: string, "nextLink"?: string }`.
import { z } from 'zod';
import { DEFAULTS } from './config';
import { parseOrThrow } from './partnership';

export interface PageQuery {
  top: number;
  continuationToken?: string;
}

/** The paging query parameters (list routes extend it with their filters). */
export const pageQuerySchema = z.object({
  $top: z
    .string()
    .regex(/^\d{1,6}$/, { error: `must be a whole number from 1 to ${DEFAULTS.listPageSizeMax}` })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: `must be from 1 to ${DEFAULTS.listPageSizeMax}` }).max(DEFAULTS.listPageSizeMax, { error: `must be from 1 to ${DEFAULTS.listPageSizeMax}` }))
    .optional()
    .meta({ description: `How many items a page holds (default ${DEFAULTS.listPageSizeDefault}, at most ${DEFAULTS.listPageSizeMax}).` }),
  continuationToken: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(512, { error: 'is not a token this API handed out' })
    .optional()
    .meta({ description: 'The continuationToken of the previous page (opaque).' }),
});

/** `$top` and `continuationToken` of a list request (400 naming the parameter when bad). */
export function parsePageQuery(query: Readonly<Record<string, string>>): PageQuery {
  const parsed = parseOrThrow(pageQuerySchema, { $top: query.$top, continuationToken: query.continuationToken }, 'list request');
  return { top: parsed.$top ?? DEFAULTS.listPageSizeDefault, ...(parsed.continuationToken ? { continuationToken: parsed.continuationToken } : {}) };
}

/** The link to the next page: the same list with the same filters, from where this page ended. */
export function nextLink(listUrl: string, filters: Readonly<Record<string, string | undefined>>, page: PageQuery & { continuationToken: string }): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== undefined) query.set(name, value);
  query.set('$top', String(page.top));
  query.set('continuationToken', page.continuationToken);
  return `${listUrl}?${query.toString()}`;
}
