import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { POSTER_MAX_BYTES, type AssetDetails, type ThumbSize } from '../../shared/api';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { findAsset, findPlace, thumbStateOf, toAssetDetails, type AssetRow } from '../library/assets';
import { findViewableAsset } from '../library/organise';
import { rotateThumbnail } from '../imaging/edit';
import { ifNoneMatchMatches } from '../library/etag';
import { placeholderSvg } from '../library/placeholder-svg';
import { applyPoster } from '../library/thumbnails';
import { thumbKeyFor } from '../storage/blob-store';
import { assetDetailsResponseSchema } from './assets';
import { binaryContent, emptyResponse, idParamsSchema, noQuerySchema } from './schemas';

/** Response header naming what a thumb URL served: `ready` (WebP) or `placeholder` (SVG). */
export const THUMB_STATE_HEADER = 'Shoebox-Thumb-State';

/** A year: the longest max-age caches are asked to honour (RFC 9111 §5.2.2.1 suggests no more). */
const IMMUTABLE = 'private, max-age=31536000, immutable';

function notModified(reply: FastifyReply, ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatchMatches(ifNoneMatch, etag)) return false;
  void reply.code(304);
  return true;
}

/**
 * Answers with an asset's preview: its placeholder, or its stored WebP turned by the owner's
 * rotation. `cache`: a year for the app's own URLs (they carry the version); `revalidate` for a
 * public link's, which must ask the server every time so that a revoked link stops at once.
 */
export async function sendThumb(
  ctx: AppContext,
  row: AssetRow,
  query: { size?: ThumbSize; v?: string },
  request: FastifyRequest,
  reply: FastifyReply,
  caching: 'cache' | 'revalidate',
): Promise<FastifyReply> {
  const { size = 's', v } = query;
  const thumb = thumbStateOf(row);
  void reply.header('x-content-type-options', 'nosniff');

  switch (thumb.state) {
    case 'pending':
      void reply.header('cache-control', 'no-store').header('retry-after', '2');
      throw new ApiError('THUMB_PENDING');

    case 'placeholder': {
      const svg = placeholderSvg(thumb, size, row);
      const etag = `"p-${createHash('sha256').update(svg).digest('hex').slice(0, 24)}"`;
      // Not immutable: a video's placeholder gives way to its poster frame.
      void reply
        .header(THUMB_STATE_HEADER, 'placeholder')
        .header('etag', etag)
        .header('cache-control', 'private, no-cache')
        .header('content-security-policy', "default-src 'none'");
      if (notModified(reply, request.headers['if-none-match'], etag)) return reply.send();
      return reply.type('image/svg+xml; charset=utf-8').send(svg);
    }

    case 'ready': {
      const etag = `"${thumb.version}-${size}"`;
      // The URL the app builds carries ?v=<version>; an older v must not be cached as this one.
      const immutable = caching === 'cache' && (v === undefined || v === thumb.version);
      void reply
        .header(THUMB_STATE_HEADER, 'ready')
        .header('etag', etag)
        .header('cache-control', immutable ? IMMUTABLE : 'private, no-cache');
      if (notModified(reply, request.headers['if-none-match'], etag)) return reply.send();
      const stored = row.thumb_version ?? '';
      const key = thumbKeyFor(row.owner_id, row.id, stored, size);
      let bytes: Buffer;
      try {
        bytes = await buffer(await ctx.thumbs.createReadStream(key));
      } catch (error) {
        request.log.error({ err: error, assetId: row.id, key }, 'thumbnail blob is missing');
        throw new ApiError('INTERNAL');
      }
      // The qualities the thumbnails were made with (imaging/thumbnails.ts).
      return reply
        .type('image/webp')
        .send(await rotateThumbnail(bytes, row.rotation, size === 's' ? 75 : 80));
    }
  }
}

/** Thumbnails, their placeholders, and the poster frame a video's thumbnails are made from. */
export async function registerThumbRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: { size?: ThumbSize; v?: string } }>(
    '/api/assets/:id/thumb',
    {
      schema: {
        summary: 'A preview of the asset',
        description:
          'A WebP about 320 px (`s`) or 1280 px (`l`) on its long side once made, or an SVG placeholder when the file cannot be previewed (`Shoebox-Thumb-State` says which); 404 THUMB_PENDING while it is being made.',
        tags: ['assets'],
        params: idParamsSchema,
        querystring: {
          type: 'object',
          properties: {
            size: { type: 'string', enum: ['s', 'l'], default: 's' },
            v: { type: 'string', maxLength: 64, description: "The thumb's version, for caching." },
          },
        },
        response: {
          200: binaryContent(['image/webp', 'image/svg+xml'], 'The preview, or a placeholder.'),
          304: emptyResponse('Not modified: the `If-None-Match` ETag is current.'),
        },
      },
    },
    async (request, reply) => {
      const row = await findViewableAsset(ctx.db, principalOf(request).user.id, request.params.id);
      if (row === undefined) throw new ApiError('ASSET_NOT_FOUND');
      return sendThumb(ctx, row, request.query, request, reply, 'cache');
    },
  );

  // Its own scope: the only bodies it parses are JPEG and WebP images up to POSTER_MAX_BYTES.
  await app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['image/jpeg', 'image/webp'],
      { parseAs: 'buffer', bodyLimit: POSTER_MAX_BYTES },
      (_request, body, parsed) => parsed(null, body),
    );
    scope.addContentTypeParser('*', (_request, _payload, parsed) =>
      parsed(new ApiError('UNSUPPORTED_TYPE', 'Send the poster frame as image/jpeg or image/webp.')),
    );
    scope.post<{ Params: { id: string } }>(
      '/api/assets/:id/poster',
      {
        schema: {
          summary: "A video's poster frame",
          description: `A frame the client took from the video (at most ${POSTER_MAX_BYTES} bytes) becomes its thumbnails.`,
          tags: ['assets'],
          params: idParamsSchema,
          querystring: noQuerySchema,
          body: binaryContent(['image/jpeg', 'image/webp'], 'The frame as a JPEG or WebP image.'),
          response: { 200: assetDetailsResponseSchema },
        },
      },
      async (request): Promise<AssetDetails> => {
        const row = await findAsset(ctx.db, principalOf(request).user.id, request.params.id);
        if (row === undefined) throw new ApiError('ASSET_NOT_FOUND');
        if (!Buffer.isBuffer(request.body)) {
          throw new ApiError('UNSUPPORTED_TYPE', 'Send the poster frame as image/jpeg or image/webp.');
        }
        const updated = await applyPoster(ctx, row, request.body);
        return toAssetDetails(updated, await findPlace(ctx.db, updated.place_id));
      },
    );
    done();
  });
}
