import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BULK_MAX, type AssetBuckets, type ThumbSize } from '../../shared/api';
import {
  LINK_PASSWORD_MIN,
  linkPath,
  type CreateLinkRequest,
  type LinkList,
  type PublicAssetDetails,
  type PublicAssetPage,
  type PublicLink,
  type SharedLink,
  type UnlockRequest,
  type UpdateLinkRequest,
} from '../../shared/links';
import { mediaKindOf } from '../../shared/limits';
import { principalOf } from '../auth/hook';
import { verifyPassword } from '../auth/password';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { getAlbum } from '../library/albums';
import { findPlace, thumbStateOf } from '../library/assets';
import {
  createLink,
  deleteLink,
  findLinkAsset,
  findLiveLink,
  getLink,
  isUnlocked,
  LINK_KEY_PATTERN,
  listLinks,
  recordView,
  toPublicAsset,
  toPublicDetails,
  unlockToken,
  updateLink,
  type LinkRow,
} from '../library/links';
import { albumBuckets, linkSelectionBuckets, listAlbumPage, listLinkSelection } from '../library/listings';
import { assetDetailsResponseSchema, assetResponseSchema } from './assets';
import {
  bucketsResponseSchema,
  listingQuerySchema,
  parseListingQuery,
  type ListingQuerystring,
} from './listing-schemas';
import { originalResponses, sendOriginal } from './original';
import { sendEdited } from './organise';
import {
  binaryContent,
  emptyResponse,
  idParamsSchema,
  noQuerySchema,
  SIGN_IN_RATE,
  type ObjectSchemaOf,
} from './schemas';
import { sendThumb } from './thumbs';

/** The cookie that proves a link's password; its path keeps it to that link's routes. */
export const LINK_COOKIE = 'shoebox_link';

const nullableString = { type: ['string', 'null'] } as const;

const linkSettingsProperties = {
  title: { type: 'string', maxLength: 200 },
  expiresAt: { type: ['string', 'null'], format: 'date-time' },
  allowDownload: { type: 'boolean' },
  showDetails: { type: 'boolean' },
  showPlace: { type: 'boolean' },
  password: { type: ['string', 'null'], minLength: LINK_PASSWORD_MIN, maxLength: 1024 },
} as const;

const sharedLinkSchema = {
  type: 'object',
  required: [
    'id',
    'key',
    'path',
    'albumId',
    'title',
    'expiresAt',
    'allowDownload',
    'showDetails',
    'showPlace',
    'count',
    'hasPassword',
    'views',
    'lastUsedAt',
    'createdAt',
  ],
  properties: {
    id: { type: 'string' },
    key: { type: 'string' },
    path: { type: 'string' },
    albumId: nullableString,
    title: { type: 'string' },
    expiresAt: nullableString,
    allowDownload: { type: 'boolean' },
    showDetails: { type: 'boolean' },
    showPlace: { type: 'boolean' },
    count: { type: 'integer' },
    hasPassword: { type: 'boolean' },
    views: { type: 'integer' },
    lastUsedAt: nullableString,
    createdAt: { type: 'string' },
  },
} as const satisfies ObjectSchemaOf<SharedLink>;

const publicAssetProperties = {
  id: { type: 'string' },
  mimeType: { type: 'string' },
  capturedAt: { type: 'string' },
  capturedOffsetMinutes: { type: ['integer', 'null'] },
  width: { type: ['integer', 'null'] },
  height: { type: ['integer', 'null'] },
  durationSeconds: { type: ['number', 'null'] },
  thumb: assetResponseSchema.properties.thumb,
  rotation: { type: 'integer' },
  filename: nullableString,
} as const;
const publicAssetRequired = Object.keys(publicAssetProperties);

const publicLinkSchema = {
  type: 'object',
  required: [
    'title',
    'description',
    'kind',
    'order',
    'count',
    'allowDownload',
    'showDetails',
    'showPlace',
    'expiresAt',
    'cover',
  ],
  properties: {
    title: { type: 'string' },
    description: { type: 'string' },
    kind: { type: 'string', enum: ['album', 'selection'] },
    order: { type: 'string', enum: ['desc', 'asc'] },
    count: { type: 'integer' },
    allowDownload: { type: 'boolean' },
    showDetails: { type: 'boolean' },
    showPlace: { type: 'boolean' },
    expiresAt: nullableString,
    cover: {
      type: ['object', 'null'],
      required: ['assetId', 'thumb'],
      properties: { assetId: { type: 'string' }, thumb: assetResponseSchema.properties.thumb },
    },
  },
} as const satisfies ObjectSchemaOf<PublicLink>;

const keyParamsSchema = {
  type: 'object',
  required: ['key'],
  properties: { key: { type: 'string', pattern: LINK_KEY_PATTERN } },
} as const;

const keyAssetParamsSchema = {
  type: 'object',
  required: ['key', 'id'],
  properties: {
    key: { type: 'string', pattern: LINK_KEY_PATTERN },
    id: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

interface KeyParams {
  key: string;
}
interface KeyAssetParams extends KeyParams {
  id: string;
}

/** Nothing the page's routes answer is kept by a shared cache, and only revalidated by the browser's. */
const PRIVATE = 'private, no-cache';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Public links: managing them (signed in), and the routes of the page a link opens (no account:
 * each checks the key, the expiry and the password on every request, `config.public`).
 */
export function registerLinkRoutes(app: FastifyInstance, ctx: AppContext): void {
  // ——— Managing links ———

  app.get(
    '/api/links',
    {
      schema: {
        summary: 'Your public links',
        description: 'Newest first, with how many photos each shows, its views and its last use.',
        tags: ['links'],
        querystring: noQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['links'],
            properties: { links: { type: 'array', items: sharedLinkSchema } },
          },
        },
      },
    },
    async (request, reply): Promise<LinkList> => {
      void reply.header('cache-control', PRIVATE);
      return { links: await listLinks(ctx.db, principalOf(request).user.id) };
    },
  );

  app.post<{ Body: CreateLinkRequest }>(
    '/api/links',
    {
      schema: {
        summary: 'Make a public link',
        description:
          'To an album of yours (`albumId`) or a selection of your photos (`assetIds`). Downloads, details and place are off unless turned on; `password` is stored hashed.',
        tags: ['links'],
        querystring: noQuerySchema,
        body: {
          type: 'object',
          properties: {
            ...linkSettingsProperties,
            albumId: { type: 'string', minLength: 1, maxLength: 64 },
            assetIds: {
              type: 'array',
              minItems: 1,
              maxItems: BULK_MAX,
              items: { type: 'string', minLength: 1, maxLength: 64 },
            },
          },
          oneOf: [{ required: ['albumId'] }, { required: ['assetIds'] }],
          examples: [{ albumId: '0b7e3c1e-34a5-4b8e-9d7c-3c2f1e0d9a88', allowDownload: true }],
        },
        response: { 201: sharedLinkSchema },
      },
    },
    async (request, reply): Promise<SharedLink> => {
      const ownerId = principalOf(request).user.id;
      const id = await createLink(ctx.db, ownerId, request.body, ctx.now());
      void reply.code(201);
      return getLink(ctx.db, ownerId, id);
    },
  );

  app.patch<{ Params: { id: string }; Body: UpdateLinkRequest }>(
    '/api/links/:id',
    {
      schema: {
        summary: 'Change a public link',
        description: 'A new password (or null for none) ends the access of everyone who gave the old one.',
        tags: ['links'],
        querystring: noQuerySchema,
        params: idParamsSchema,
        body: {
          type: 'object',
          minProperties: 1,
          properties: linkSettingsProperties,
          examples: [{ showPlace: false }],
        },
        response: { 200: sharedLinkSchema },
      },
    },
    async (request): Promise<SharedLink> => {
      const ownerId = principalOf(request).user.id;
      await updateLink(ctx.db, ownerId, request.params.id, request.body);
      return getLink(ctx.db, ownerId, request.params.id);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/links/:id',
    {
      schema: {
        summary: 'Revoke a public link',
        description: 'The link stops working at once, on every route of its page.',
        tags: ['links'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        response: { 204: emptyResponse('Revoked.') },
      },
    },
    async (request, reply) => {
      await deleteLink(ctx.db, principalOf(request).user.id, request.params.id);
      return reply.code(204).send();
    },
  );

  // ——— The page a link opens: no account, the key on every route ———

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

  // ——— The page itself, with an Open Graph preview for links without a password ———

  app.get<{ Params: KeyParams }>('/s/:key', async (request, reply) => sendLinkPage(ctx, request, reply));
}

async function albumOrder(ctx: AppContext, albumId: string): Promise<'asc' | 'desc'> {
  const album = await ctx.db
    .selectFrom('albums')
    .select('sort_order')
    .where('id', '=', albumId)
    .executeTakeFirst();
  if (album === undefined) throw new ApiError('LINK_UNAVAILABLE');
  return album.sort_order;
}

async function describeLink(ctx: AppContext, link: LinkRow): Promise<PublicLink> {
  const settings = {
    allowDownload: link.allow_download === 1,
    showDetails: link.show_details === 1,
    showPlace: link.show_place === 1,
    expiresAt: link.expires_at,
  };
  if (link.album_id !== null) {
    const album = await getAlbum(ctx.db, link.owner_id, link.album_id);
    return {
      title: link.title,
      description: album.description,
      kind: 'album',
      order: album.order,
      count: album.count,
      cover: album.cover,
      ...settings,
    };
  }
  const first = await listLinkSelection(ctx.db, link.id, { after: null, from: null, limit: 1 }, (row) => ({
    assetId: row.id,
    thumb: thumbStateOf(row),
  }));
  const buckets = await linkSelectionBuckets(ctx.db, link.id);
  return {
    title: link.title,
    description: '',
    kind: 'selection',
    order: 'desc',
    count: buckets.total,
    cover: first.items[0] ?? null,
    ...settings,
  };
}

/**
 * The app's page for `/s/<key>`, with Open Graph tags naming the link and its cover when the link
 * works and has no password (a password-protected link shows nothing to a preview bot). The link
 * is not counted as viewed: previews are fetched by bots.
 */
async function sendLinkPage(
  ctx: AppContext,
  request: FastifyRequest<{ Params: KeyParams }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  let html: string;
  try {
    html = await fs.readFile(path.join(ctx.config.staticDir, 'index.html'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('NOT_FOUND');
    throw error;
  }
  void reply
    .header('cache-control', 'no-cache')
    .header('x-robots-tag', 'noindex, nofollow')
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8');
  let link: LinkRow | null = null;
  if (new RegExp(LINK_KEY_PATTERN).test(request.params.key)) {
    try {
      link = await findLiveLink(ctx.db, request.params.key, ctx.now());
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
  }
  if (link === null) return reply.code(404).send(html);
  if (link.password_hash !== null) return reply.send(html);
  const described = await describeLink(ctx, link);
  const origin = `${request.protocol}://${request.host}`;
  const url = `${origin}${linkPath(link.key)}`;
  const count = `${described.count} ${described.count === 1 ? 'photo' : 'photos'}`;
  const tags = [
    ['og:type', 'website'],
    ['og:title', described.title],
    ['og:description', described.description === '' ? count : `${described.description} · ${count}`],
    ['og:url', url],
  ];
  if (described.cover !== null && described.cover.thumb.state === 'ready') {
    const image = `${origin}/api/s/${link.key}/assets/${encodeURIComponent(described.cover.assetId)}/thumb?size=l`;
    tags.push(['og:image', image], ['twitter:card', 'summary_large_image']);
  }
  const meta = tags
    .map(([property, content]) => `<meta property="${property}" content="${escapeHtml(content ?? '')}">`)
    .join('');
  return reply.send(html.replace('</head>', `${meta}</head>`));
}
