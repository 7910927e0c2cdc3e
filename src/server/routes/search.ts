import type { FastifyInstance } from 'fastify';
import { SEARCH_QUERY_MAX, type SearchResponse, type SuggestionsResponse } from '../../shared/search';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { didYouMean } from '../search/did-you-mean';
import { searchScope } from '../search/scope';
import { applied, resolveQuery, searchAssets } from '../search/search';
import { suggest } from '../search/suggest';
import { assetResponseSchema, PAGE_DEFAULT, PAGE_MAX, parseCursor } from './assets';

/** A SearchFilter: one shape listing every member's properties (each writes only its own). */
const filterSchema = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: { type: 'string' },
    text: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    month: { type: 'integer' },
    code: { type: 'string' },
    name: { type: 'string' },
    label: { type: 'string' },
    type: { type: 'string' },
  },
} as const;

const appliedFilterSchema = {
  type: 'object',
  required: ['filter', 'token', 'label'],
  properties: { filter: filterSchema, token: { type: 'string' }, label: { type: 'string' } },
} as const;

const searchResponseSchema = {
  type: 'object',
  required: ['items', 'nextCursor', 'filters', 'didYouMean'],
  properties: {
    items: { type: 'array', items: assetResponseSchema },
    nextCursor: { type: ['string', 'null'] },
    filters: { type: 'array', items: appliedFilterSchema },
    didYouMean: {
      type: ['string', 'null'],
      description:
        'On a first page that found nothing: the query with its misspelt words corrected, when that finds something.',
    },
  },
} as const;

const suggestionsResponseSchema = {
  type: 'object',
  required: ['replaces', 'suggestions'],
  properties: {
    replaces: { type: 'string' },
    suggestions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['filter', 'token', 'label', 'detail', 'count'],
        properties: {
          filter: filterSchema,
          token: { type: 'string' },
          label: { type: 'string' },
          detail: { type: 'string' },
          count: { type: ['integer', 'null'] },
        },
      },
    },
  },
} as const;

const queryString = { type: 'string', maxLength: SEARCH_QUERY_MAX } as const;

/**
 * `GET /api/search?q=…`: one page of the photos and videos the query finds, newest first, with
 * the filters it was read as; `cursor` from the last page continues it. `GET
 * /api/search/suggestions?q=…`: completions of the query's last words.
 */
export function registerSearchRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: { q?: string; cursor?: string; limit?: number } }>(
    '/api/search',
    {
      schema: {
        summary: 'Search the library',
        tags: ['search'],
        querystring: {
          type: 'object',
          properties: {
            q: queryString,
            cursor: { type: 'string', maxLength: 1024 },
            limit: { type: 'integer', minimum: 1, maximum: PAGE_MAX },
          },
        },
        response: { 200: searchResponseSchema },
      },
    },
    async (request, reply): Promise<SearchResponse> => {
      const { q = '', cursor, limit = PAGE_DEFAULT } = request.query;
      const scope = await searchScope(ctx.db, principalOf(request).user.id);
      const after = parseCursor(cursor);
      void reply.header('cache-control', 'private, no-cache');
      const read = await resolveQuery(ctx.db, scope, q);
      const page = await searchAssets(ctx.db, scope, read, { after, limit });
      const nothing = after === null && page.items.length === 0;
      return {
        ...page,
        filters: applied(read.filters),
        didYouMean: nothing ? await didYouMean(ctx.db, scope, q) : null,
      };
    },
  );

  app.get<{ Querystring: { q?: string } }>(
    '/api/search/suggestions',
    {
      schema: {
        summary: 'Completions of a search',
        tags: ['search'],
        querystring: { type: 'object', properties: { q: queryString } },
        response: { 200: suggestionsResponseSchema },
      },
    },
    async (request, reply): Promise<SuggestionsResponse> => {
      void reply.header('cache-control', 'private, no-cache');
      return suggest(ctx.db, await searchScope(ctx.db, principalOf(request).user.id), request.query.q ?? '');
    },
  );
}
