/**
 * A public link's header (title, count, cover) and the app's page for `/s/<key>`, with Open Graph
 * tags for links without a password.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fs from 'node:fs/promises';
import path from 'node:path';
import { linkPath, type PublicLink } from '../../shared/links';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { getAlbum } from '../library/albums';
import { thumbStateOf } from '../library/assets';
import { findLiveLink, LINK_KEY_PATTERN, type LinkRow } from '../library/links';
import { linkSelectionBuckets, listLinkSelection } from '../library/listings';
import type { KeyParams } from './link-schemas';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The album's order; LINK_UNAVAILABLE when the album is gone. */
export async function albumOrder(ctx: AppContext, albumId: string): Promise<'asc' | 'desc'> {
  const album = await ctx.db
    .selectFrom('albums')
    .select('sort_order')
    .where('id', '=', albumId)
    .executeTakeFirst();
  if (album === undefined) throw new ApiError('LINK_UNAVAILABLE');
  return album.sort_order;
}

/** What a link's page shows at the top (and its Open Graph preview). */
export async function describeLink(ctx: AppContext, link: LinkRow): Promise<PublicLink> {
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
export async function sendLinkPage(
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
