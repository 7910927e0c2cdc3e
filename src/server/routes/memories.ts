import type { FastifyInstance } from 'fastify';
import type { OnThisDayResponse, YearReview, YearsResponse } from '../../shared/memories';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { isCalendarDay, onThisDay } from '../memories/on-this-day';
import { reviewYears, yearReview } from '../memories/year-review';
import { assetResponseSchema } from './assets';
import { noQuerySchema } from './schemas';

const onThisDayResponseSchema = {
  type: 'object',
  required: ['date', 'years'],
  properties: {
    date: { type: 'string' },
    years: {
      type: 'array',
      items: {
        type: 'object',
        required: ['year', 'yearsAgo', 'count', 'items', 'day'],
        properties: {
          year: { type: 'integer' },
          yearsAgo: { type: 'integer' },
          count: { type: 'integer' },
          items: { type: 'array', items: assetResponseSchema },
          day: { type: 'string' },
        },
      },
    },
  },
} as const;

const queryLink = {
  type: 'string',
  description: 'A search query (`GET /api/search?q=`) showing them all.',
} as const;

const yearReviewSchema = {
  type: 'object',
  required: ['year', 'count', 'photos', 'videos', 'months', 'places', 'busiestDay', 'query'],
  properties: {
    year: { type: 'integer' },
    count: { type: 'integer' },
    photos: { type: 'integer' },
    videos: { type: 'integer' },
    months: {
      type: 'array',
      items: {
        type: 'object',
        required: ['month', 'count', 'items', 'query'],
        properties: {
          month: { type: 'integer', minimum: 1, maximum: 12 },
          count: { type: 'integer' },
          items: { type: 'array', items: assetResponseSchema },
          query: queryLink,
        },
      },
    },
    places: {
      type: 'array',
      items: {
        type: 'object',
        required: ['label', 'detail', 'count', 'query'],
        properties: {
          label: { type: 'string' },
          detail: { type: ['string', 'null'] },
          count: { type: 'integer' },
          query: queryLink,
        },
      },
    },
    busiestDay: {
      type: ['object', 'null'],
      required: ['day', 'count', 'query'],
      properties: { day: { type: 'string' }, count: { type: 'integer' }, query: queryLink },
    },
    query: queryLink,
  },
} as const;

/** `GET /api/memories/on-this-day?date=YYYY-MM-DD`: photos from that date in the years before it. */
export function registerMemoryRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: { date: string } }>(
    '/api/memories/on-this-day',
    {
      schema: {
        summary: 'Photos from this date in past years',
        description:
          'The caller’s photos and videos captured on the month and day of `date` in earlier years, the most recent year first, a few per year with the count of all. `date` is the caller’s own calendar day.',
        tags: ['memories'],
        querystring: {
          type: 'object',
          required: ['date'],
          properties: {
            date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', examples: ['2026-07-14'] },
          },
        },
        response: { 200: onThisDayResponseSchema },
      },
    },
    async (request, reply): Promise<OnThisDayResponse> => {
      const { date } = request.query;
      if (!isCalendarDay(date)) throw new ApiError('BAD_REQUEST', `${date} is not a day of the calendar.`);
      void reply.header('cache-control', 'private, no-cache');
      return onThisDay(ctx.db, principalOf(request).user.id, date);
    },
  );

  app.get(
    '/api/memories/years',
    {
      schema: {
        summary: 'The years with photos',
        description:
          'The years the caller has photos and videos from (the photographer’s calendar), newest first, each with its latest photo as a cover, for a year in review.',
        tags: ['memories'],
        querystring: noQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['years'],
            properties: {
              years: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['year', 'cover'],
                  properties: { year: { type: 'integer' }, cover: assetResponseSchema },
                },
              },
            },
          },
        },
      },
    },
    async (request, reply): Promise<YearsResponse> => {
      void reply.header('cache-control', 'private, no-cache');
      return reviewYears(ctx.db, principalOf(request).user.id);
    },
  );

  app.get<{ Params: { year: string } }>(
    '/api/memories/years/:year',
    {
      schema: {
        summary: 'A year in review',
        description:
          'The caller’s photos and videos captured in `year` (the photographer’s calendar): how many, a few of each month spread over it, the places photographed most and the busiest day, each with the search that shows them all. A year without photos answers a count of 0.',
        tags: ['memories'],
        params: {
          type: 'object',
          required: ['year'],
          properties: { year: { type: 'string', pattern: '^\\d{4}$', examples: ['2019'] } },
        },
        querystring: noQuerySchema,
        response: { 200: yearReviewSchema },
      },
    },
    async (request, reply): Promise<YearReview> => {
      void reply.header('cache-control', 'private, no-cache');
      return yearReview(ctx.db, principalOf(request).user.id, Number(request.params.year));
    },
  );
}
