import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AssetBuckets, AssetDetails, AssetPage, BulkAssetsResponse } from '../../shared/api';
import type { EditRequest, OrganiseRequest } from '../../shared/albums';
import { mediaKindOf } from '../../shared/limits';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { renderEdited } from '../imaging/edit';
import { findAsset, findPlace, toAssetDetails, type AssetRow } from '../library/assets';
import { attachmentDisposition } from '../library/content-disposition';
import { listOwn, ownBuckets, type OwnListing } from '../library/listings';
import { findViewableAsset, setFlags, setRotation } from '../library/organise';
import { withLocalFile } from '../storage/local-file';
import { assetDetailsResponseSchema, assetPageResponseSchema } from './assets';
import {
  bucketsResponseSchema,
  bulkIdsSchema,
  idsResponseSchema,
  listingQuerySchema,
  parseListingQuery,
  type ListingQuerystring,
} from './listing-schemas';
import { binaryContent, emptyResponse, idParamsSchema, noQuerySchema } from './schemas';

/** `IMG_1.HEIC` → `IMG_1 (edited).jpg`. */
export function editedFilename(filename: string, extension: string): string {
  const dot = filename.lastIndexOf('.');
  const base = dot > 0 ? filename.slice(0, dot) : filename;
  return `${base} (edited).${extension}`;
}

/**
 * Sends the edited version of a photo: rendered from the original at each request (the original
 * is never rewritten and nothing else is stored), as a download.
 */
export async function sendEdited(
  ctx: AppContext,
  row: AssetRow,
  metadata: 'keep' | 'strip',
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  if (mediaKindOf(row.mime_type) !== 'photo') throw new ApiError('EDIT_UNSUPPORTED');
  const etag = `"${row.sha256}-r${row.rotation}-${metadata}"`;
  void reply.header('etag', etag).header('cache-control', 'private, no-cache');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  const result = await withLocalFile(ctx.blobs, row.blob_key, ctx.tmpDir, (file) =>
    renderEdited(file, row.mime_type, row.rotation, {
      maxPixels: ctx.config.limits.maxPhotoPixels,
      metadata,
    }),
  );
  if (result.status !== 'ok') {
    request.log.info({ assetId: row.id, detail: result.detail }, 'no edited version of an asset');
    throw new ApiError('EDIT_UNREADABLE');
  }
  return reply
    .type(result.mimeType)
    .header('content-disposition', attachmentDisposition(editedFilename(row.filename, result.extension)))
    .header('x-content-type-options', 'nosniff')
    .send(result.data);
}

/** Favourites, the archive, marking assets as either, and the rotate edit. */
export function registerOrganiseRoutes(app: FastifyInstance, ctx: AppContext): void {
  const listing = (path: string, which: OwnListing, what: string): void => {
    app.get<{ Querystring: ListingQuerystring }>(
      path,
      {
        schema: {
          summary: `A page of ${what}`,
          description: `${what[0]?.toUpperCase() ?? ''}${what.slice(1)}, newest capture first, paged like the timeline (\`GET /api/assets\`); the trash is left out.`,
          tags: ['assets'],
          querystring: listingQuerySchema,
          response: { 200: assetPageResponseSchema },
        },
      },
      async (request, reply): Promise<AssetPage> => {
        void reply.header('cache-control', 'private, no-cache');
        return listOwn(ctx.db, principalOf(request).user.id, which, parseListingQuery(request.query));
      },
    );
    app.get(
      `${path}/buckets`,
      {
        schema: {
          summary: `The capture days of ${what}`,
          tags: ['assets'],
          querystring: noQuerySchema,
          response: { 200: bucketsResponseSchema },
        },
      },
      async (request, reply): Promise<AssetBuckets> => {
        void reply.header('cache-control', 'private, no-cache');
        return ownBuckets(ctx.db, principalOf(request).user.id, which);
      },
    );
  };
  listing('/api/favorites', 'favorites', 'your favourites');
  listing('/api/archive', 'archive', 'what you archived');

  app.patch<{ Body: OrganiseRequest }>(
    '/api/assets',
    {
      schema: {
        summary: 'Mark assets as favourites or archived',
        description:
          'Your own assets among `ids` become favourites or not (`favorite`), archived or back in the timeline (`archived`); the answer lists the ids that are yours.',
        tags: ['assets'],
        querystring: noQuerySchema,
        body: {
          ...bulkIdsSchema,
          minProperties: 2,
          properties: {
            ...bulkIdsSchema.properties,
            favorite: { type: 'boolean' },
            archived: { type: 'boolean' },
          },
          examples: [{ ids: ['6f1c0a52-6c7e-4d1e-9d6a-0d2b1f0e5a11'], favorite: true }],
        },
        response: { 200: idsResponseSchema },
      },
    },
    async (request): Promise<BulkAssetsResponse> => {
      const { ids, favorite, archived } = request.body;
      return {
        ids: await setFlags(ctx.db, principalOf(request).user.id, ids, { favorite, archived }, ctx.now()),
      };
    },
  );

  app.put<{ Params: { id: string }; Body: EditRequest }>(
    '/api/assets/:id/edit',
    {
      schema: {
        summary: 'Turn a photo (non-destructive)',
        description:
          'Sets the whole turn from the original, clockwise; 0 undoes. Thumbnails and `GET …/edited` show it; the original is never rewritten. Videos answer 409 EDIT_UNSUPPORTED.',
        tags: ['assets'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        body: {
          type: 'object',
          required: ['rotation'],
          properties: { rotation: { type: 'integer', enum: [0, 90, 180, 270] } },
        },
        response: { 200: assetDetailsResponseSchema },
      },
    },
    async (request): Promise<AssetDetails> => {
      const ownerId = principalOf(request).user.id;
      const current = await findAsset(ctx.db, ownerId, request.params.id);
      if (current === undefined) throw new ApiError('ASSET_NOT_FOUND');
      if (mediaKindOf(current.mime_type) !== 'photo') throw new ApiError('EDIT_UNSUPPORTED');
      const row = await setRotation(ctx.db, ownerId, current.id, request.body.rotation);
      if (row === undefined) throw new ApiError('ASSET_NOT_FOUND');
      return toAssetDetails(row, await findPlace(ctx.db, row.place_id));
    },
  );

  app.get<{ Params: { id: string }; Querystring: { v?: string } }>(
    '/api/assets/:id/edited',
    {
      schema: {
        summary: 'Download the edited version of a photo',
        description:
          'The whole photo as it shows in Shoebox (turned), rendered from the original, with its EXIF; `GET …/original` is the file as uploaded. `v` is not read: the app puts the rotation there, so that each turn has an address of its own in the browser.',
        tags: ['assets'],
        params: idParamsSchema,
        querystring: {
          type: 'object',
          properties: { v: { type: 'string', maxLength: 64 } },
          additionalProperties: false,
        },
        response: {
          200: binaryContent(['image/jpeg', 'image/png', 'image/webp'], 'The edited photo, as a download.'),
          304: emptyResponse('Not modified: the `If-None-Match` ETag is current.'),
        },
      },
    },
    async (request, reply) => {
      const row = await findViewableAsset(ctx.db, principalOf(request).user.id, request.params.id);
      if (row === undefined) throw new ApiError('ASSET_NOT_FOUND');
      return sendEdited(ctx, row, 'keep', request, reply);
    },
  );
}
