import type { FastifyInstance } from 'fastify';
import type { OnThisDayResponse } from '../../shared/memories';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { isCalendarDay, onThisDay } from '../memories/on-this-day';
import { assetResponseSchema } from './assets';

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
}
