/** Schemas and parsing shared by the listings that page like the timeline (favourites, albums, links). */
import { BULK_MAX } from '../../shared/api';
import { ApiError } from '../errors';
import { isDay, type ListingQuery } from '../library/listings';
import { PAGE_DEFAULT, PAGE_MAX, parseCursor } from './assets';

export interface ListingQuerystring {
  cursor?: string;
  limit?: number;
  from?: string;
}

export const listingQuerySchema = {
  type: 'object',
  properties: {
    cursor: { type: 'string', maxLength: 1024, description: "The previous page's `nextCursor`." },
    limit: { type: 'integer', minimum: 1, maximum: PAGE_MAX, default: PAGE_DEFAULT },
    from: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description: "Start at this day (YYYY-MM-DD) in the listing's order.",
    },
  },
} as const;

export function parseListingQuery(query: ListingQuerystring): ListingQuery {
  const { cursor, limit = PAGE_DEFAULT, from } = query;
  if (from !== undefined && !isDay(from)) {
    throw new ApiError('BAD_REQUEST', '"from" must be a day of the calendar, as YYYY-MM-DD.');
  }
  return { after: parseCursor(cursor), from: from ?? null, limit };
}

export const bucketsResponseSchema = {
  type: 'object',
  required: ['days', 'total'],
  properties: {
    days: {
      type: 'array',
      items: {
        type: 'object',
        required: ['day', 'count'],
        properties: { day: { type: 'string' }, count: { type: 'integer' } },
      },
    },
    total: { type: 'integer' },
  },
} as const;

export const bulkIdsSchema = {
  type: 'object',
  required: ['ids'],
  properties: {
    ids: {
      type: 'array',
      minItems: 1,
      maxItems: BULK_MAX,
      items: { type: 'string', minLength: 1, maxLength: 64 },
    },
  },
} as const;

export const idsResponseSchema = {
  type: 'object',
  required: ['ids'],
  properties: { ids: { type: 'array', items: { type: 'string' } } },
} as const;
