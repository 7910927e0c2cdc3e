/**
 * The routes of the page a public link opens (no account): each checks the key, the expiry and
 * the password on every request (`config.public`), and reaches only the link's photos.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AssetBuckets, ThumbSize } from '../../shared/api';
import type { PublicAssetDetails, PublicAssetPage, PublicLink, UnlockRequest } from '../../shared/links';
import { mediaKindOf } from '../../shared/limits';
import { verifyPassword } from '../auth/password';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { findPlace } from '../library/assets';
import {
  findLinkAsset,
  findLiveLink,
  isUnlocked,
  recordView,
  toPublicAsset,
  toPublicDetails,
  unlockToken,
  type LinkRow,
} from '../library/links';
import { albumBuckets, linkSelectionBuckets, listAlbumPage, listLinkSelection } from '../library/listings';
import { assetDetailsResponseSchema } from './assets';
import {
  keyAssetParamsSchema,
  keyParamsSchema,
  nullableString,
  publicAssetProperties,
  publicAssetRequired,
  publicLinkSchema,
  type KeyAssetParams,
  type KeyParams,
} from './link-schemas';
import { albumOrder, describeLink } from './link-preview';
import {
  bucketsResponseSchema,
  listingQuerySchema,
  parseListingQuery,
  type ListingQuerystring,
} from './listing-schemas';
import { originalResponses, sendOriginal } from './original';
import { sendEdited } from './organise';
import { binaryContent, emptyResponse, noQuerySchema, SIGN_IN_RATE } from './schemas';
import { sendThumb } from './thumbs';

/** The cookie that proves a link's password; its path keeps it to that link's routes. */
export const LINK_COOKIE = 'shoebox_link';

/** Nothing the page's routes answer is kept by a shared cache, and only revalidated by the browser's. */
const PRIVATE = 'private, no-cache';

/** The routes of a link's page under `/api/s/:key`. */
export function registerLinkPageRoutes(app: FastifyInstance, ctx: AppContext): void {
  /** The link of this request, working and unlocked, or the error that says why not. */
  const openLink = async (request: FastifyRequest<{ Params: KeyParams }>): Promise<LinkRow> => {
    const link = await findLiveLink(ctx.db, request.params.key, ctx.now());
    if (!isUnlocked(link, request.cookies[LINK_COOKIE])) throw new ApiError('LINK_PASSWORD_REQUIRED');
    return link;
  };

  const linkAsset = async (request: FastifyRequest<{ Params: KeyAssetParams }>) => {
    const link = await openLink(request);
    const row = await findLinkAsset(ctx.db, link, request.params.id);
    if (row === undefined) throw new ApiError('ASSET_NOT_FOUND');
    return { link, row };
  };

  const publicRoute = { config: { public: true } } as const;
  const unlockRoute = { config: { public: true, rateLimit: SIGN_IN_RATE } } as const;

  app.get<{ Params: KeyParams }>(
    '/api/s/:key',
    {
      ...publicRoute,
      schema: {
        summary: "A public link's page",
        description:
          'No account: the key is the credential, with the password cookie when the link has one. Counts a view.',
        tags: ['links'],
        params: keyParamsSchema,
        querystring: noQuerySchema,
        response: { 200: publicLinkSchema },
      },
    },
    async (request, reply): Promise<PublicLink> => {
      void reply.header('cache-control', PRIVATE);
      const link = await openLink(request);
      await recordView(ctx.db, link.id, ctx.now());
      return describeLink(ctx, link);
    },
  );

  app.post<{ Params: KeyParams; Body: UnlockRequest }>(
    '/api/s/:key/unlock',
    {
      ...unlockRoute,
      schema: {
        summary: "Give a public link's password",
        description:
          "Sets an HttpOnly cookie for the link's routes. Wrong passwords are counted like sign-ins (429 RATE_LIMITED).",
        tags: ['links'],
        params: keyParamsSchema,
        querystring: noQuerySchema,
        body: {
          type: 'object',
          required: ['password'],
          properties: { password: { type: 'string', maxLength: 1024, examples: ['sea breeze'] } },
        },
        response: { 204: emptyResponse('Unlocked: the cookie is set.') },
      },
    },
    async (request, reply) => {
      const link = await findLiveLink(ctx.db, request.params.key, ctx.now());
      const token = unlockToken(link);
      if (link.password_hash !== null && token !== null) {
        // Counted like sign-ins (per link and address, and per address), before the check.
        const admission = await ctx.loginThrottle.admit(`link:${link.id}`, request.ip);
        if (!admission.allowed) {
          const minutes = Math.ceil(admission.retryAfterMs / 60_000);
          throw new ApiError(
            'RATE_LIMITED',
            `Too many wrong passwords. Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`,
            { retryAfterSeconds: Math.ceil(admission.retryAfterMs / 1000) },
          );
        }
        if (!(await verifyPassword(request.body.password, link.password_hash))) {
          throw new ApiError('LINK_PASSWORD_WRONG');
        }
        await ctx.loginThrottle.succeeded(admission);
        void reply.setCookie(LINK_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          path: `/api/s/${link.key}`,
          secure: request.protocol === 'https',
        });
      }
      return reply.code(204).send();
    },
  );

  app.get<{ Params: KeyParams; Querystring: ListingQuerystring }>(
    '/api/s/:key/assets',
    {
      ...publicRoute,
      schema: {
        summary: "A page of a public link's photos",
        tags: ['links'],
        params: keyParamsSchema,
        querystring: listingQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['items', 'nextCursor'],
            properties: {
              items: {
                type: 'array',
                items: { type: 'object', required: publicAssetRequired, properties: publicAssetProperties },
              },
              nextCursor: nullableString,
            },
          },
        },
      },
    },
    async (request, reply): Promise<PublicAssetPage> => {
      void reply.header('cache-control', PRIVATE);
      const link = await openLink(request);
      const page = parseListingQuery(request.query);
      const toItem = (row: Parameters<typeof toPublicAsset>[0]) => toPublicAsset(row, link);
      if (link.album_id === null) return listLinkSelection(ctx.db, link.id, page, toItem);
      const order = await albumOrder(ctx, link.album_id);
      return listAlbumPage(ctx.db, link.album_id, order, page, toItem);
    },
  );

  app.get<{ Params: KeyParams }>(
    '/api/s/:key/assets/buckets',
    {
      ...publicRoute,
      schema: {
        summary: "The capture days of a public link's photos",
        tags: ['links'],
        params: keyParamsSchema,
        querystring: noQuerySchema,
        response: { 200: bucketsResponseSchema },
      },
    },
    async (request, reply): Promise<AssetBuckets> => {
      void reply.header('cache-control', PRIVATE);
      const link = await openLink(request);
      if (link.album_id === null) return linkSelectionBuckets(ctx.db, link.id);
      return albumBuckets(ctx.db, link.album_id, await albumOrder(ctx, link.album_id));
    },
  );

  app.get<{ Params: KeyAssetParams }>(
    '/api/s/:key/assets/:id',
    {
      ...publicRoute,
      schema: {
        summary: "One of a public link's photos",
        description: 'Camera and file name only with details on; location and place only with place on.',
        tags: ['links'],
        querystring: noQuerySchema,
        params: keyAssetParamsSchema,
        response: {
          200: {
            type: 'object',
            required: [...publicAssetRequired, 'bytes', 'make', 'model', 'lens', 'location', 'place'],
            properties: {
              ...publicAssetProperties,
              bytes: { type: ['integer', 'null'] },
              make: nullableString,
              model: nullableString,
              lens: nullableString,
              location: assetDetailsResponseSchema.properties.location,
              place: assetDetailsResponseSchema.properties.place,
            },
          },
        },
      },
    },
    async (request, reply): Promise<PublicAssetDetails> => {
      void reply.header('cache-control', PRIVATE);
      const { link, row } = await linkAsset(request);
      const place = link.show_place === 1 ? await findPlace(ctx.db, row.place_id) : null;
      return toPublicDetails(row, place, link);
    },
  );

  app.get<{ Params: KeyAssetParams; Querystring: { size?: ThumbSize; v?: string } }>(
    '/api/s/:key/assets/:id/thumb',
    {
      ...publicRoute,
      schema: {
        summary: "A preview of one of a public link's photos",
        description: 'As `GET /api/assets/{id}/thumb`, revalidated on every use (`no-cache`).',
        tags: ['links'],
        params: keyAssetParamsSchema,
        querystring: {
          type: 'object',
          properties: {
            size: { type: 'string', enum: ['s', 'l'], default: 's' },
            v: { type: 'string', maxLength: 64 },
          },
        },
        response: {
          200: binaryContent(['image/webp', 'image/svg+xml'], 'The preview, or a placeholder.'),
          304: emptyResponse('Not modified: the `If-None-Match` ETag is current.'),
        },
      },
    },
    async (request, reply) => {
      const { row } = await linkAsset(request);
      // Revalidated on every use: a revoked link must stop showing even what a browser kept.
      return sendThumb(ctx, row, request.query, request, reply, 'revalidate');
    },
  );

  // HEAD is its own method, as for the owner's original: fastify's automatic HEAD would read it all.
  app.route<{ Params: KeyAssetParams; Querystring: { download?: boolean } }>({
    method: ['GET', 'HEAD'],
    url: '/api/s/:key/assets/:id/original',
    ...publicRoute,
    schema: {
      summary: "The file of one of a public link's photos or videos",
      description:
        "A video plays from here with Range requests whatever the link allows; a photo, or `download=true`, needs downloads on (else 403 DOWNLOAD_NOT_ALLOWED). With the place hidden a video's place is overwritten and a photo comes without its metadata.",
      tags: ['links'],
      params: keyAssetParamsSchema,
      querystring: { type: 'object', properties: { download: { type: 'boolean' } } },
      response: originalResponses,
    },
    handler: async (request, reply) => {
      const { link, row } = await linkAsset(request);
      const video = mediaKindOf(row.mime_type) === 'video';
      const allowed = link.allow_download === 1;
      // A video plays from its bytes whatever the downloads setting; a photo is shown from its previews.
      if (!allowed && (!video || request.query.download === true)) throw new ApiError('DOWNLOAD_NOT_ALLOWED');
      const everything = link.show_details === 1 && link.show_place === 1;
      if (!video && (row.rotation !== 0 || !everything)) {
        // What the link shows: turned as the owner turned it, without metadata it hides.
        return sendEdited(ctx, row, everything ? 'keep' : 'strip', request, reply);
      }
      return sendOriginal(ctx.blobs, row, request, reply, { withoutPlace: link.show_place !== 1 });
    },
  });
}
