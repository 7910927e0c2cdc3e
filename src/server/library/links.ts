/**
 * Public links: who may see what without an account. A link is found by its key on every request
 * and is refused once revoked (its row is gone) or expired; a password, when set, is proved by a
 * cookie whose value only the server can compute from the link's password hash, so changing the
 * password or revoking the link ends every visitor's access at the next request. A link reaches
 * its album's (or selection's) photos outside the trash, and nothing else.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AssetDetails, AssetPlace } from '../../shared/api';
import {
  linkPath,
  type CreateLinkRequest,
  type PublicAsset,
  type PublicAssetDetails,
  type SharedLink,
  type UpdateLinkRequest,
} from '../../shared/links';
import { hashPassword } from '../auth/password';
import type { Db } from '../db';
import type { SharedLinksTable } from '../db/schema';
import { ApiError } from '../errors';
import { ownAlbum } from './albums';
import { toAsset, toAssetDetails, type AssetRow, type AssetSummaryRow } from './assets';

export type LinkRow = Selectable<SharedLinksTable>;

/** 24 bytes: 192 bits, beyond guessing (the issue asks for at least 128). */
const KEY_BYTES = 24;
/** A key as it appears in a URL (base64url of KEY_BYTES). */
export const LINK_KEY_PATTERN = '^[A-Za-z0-9_-]{32}$';

const flag = (value: boolean | undefined): number => (value === true ? 1 : 0);

export async function createLink(
  db: Db,
  ownerId: string,
  input: CreateLinkRequest,
  now: Date,
): Promise<string> {
  const id = randomUUID();
  const at = now.toISOString();
  let title = input.title?.trim() ?? '';
  if (input.albumId !== undefined) {
    const album = await ownAlbum(db, ownerId, input.albumId);
    if (title === '') title = album.name;
  } else if (title === '') {
    title = 'Photos';
  }
  const passwordHash = input.password == null ? null : await hashPassword(input.password);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('shared_links')
      .values({
        id,
        owner_id: ownerId,
        key: randomBytes(KEY_BYTES).toString('base64url'),
        album_id: input.albumId ?? null,
        title,
        password_hash: passwordHash,
        expires_at: input.expiresAt ?? null,
        allow_download: flag(input.allowDownload),
        show_details: flag(input.showDetails),
        show_place: flag(input.showPlace),
        created_at: at,
      })
      .execute();
    if (input.albumId === undefined) {
      const ids = [...new Set(input.assetIds ?? [])];
      if (ids.length > 0) {
        await trx
          .insertInto('shared_link_assets')
          .columns(['link_id', 'asset_id', 'captured_at'])
          .expression((eb) =>
            eb
              .selectFrom('assets')
              .select((inner) => [inner.val(id).as('link_id'), 'assets.id', 'assets.captured_at'])
              .where('assets.owner_id', '=', ownerId)
              .where('assets.id', 'in', ids)
              .where('assets.deleted_at', 'is', null),
          )
          .execute();
      }
      const added = await trx
        .selectFrom('shared_link_assets')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('link_id', '=', id)
        .executeTakeFirstOrThrow();
      if (Number(added.count) === 0)
        throw new ApiError('ASSET_NOT_FOUND', 'None of those photos is yours to share.');
    }
  });
  return id;
}

/** The owner's links (or only `id`), newest first, with how many photos each shows now. */
export async function listLinks(db: Db, ownerId: string, id?: string): Promise<SharedLink[]> {
  let query = db
    .selectFrom('shared_links')
    .selectAll('shared_links')
    .select((eb) => [
      eb
        .case()
        .when('shared_links.album_id', 'is', null)
        .then(
          eb
            .selectFrom('shared_link_assets')
            .innerJoin('assets', 'assets.id', 'shared_link_assets.asset_id')
            .select((inner) => inner.fn.countAll<number>().as('n'))
            .whereRef('shared_link_assets.link_id', '=', 'shared_links.id')
            .where('assets.deleted_at', 'is', null),
        )
        .else(
          eb
            .selectFrom('album_assets')
            .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
            .select((inner) => inner.fn.countAll<number>().as('n'))
            .whereRef('album_assets.album_id', '=', 'shared_links.album_id')
            .where('assets.deleted_at', 'is', null),
        )
        .end()
        .as('count'),
    ])
    .where('shared_links.owner_id', '=', ownerId);
  if (id !== undefined) query = query.where('shared_links.id', '=', id);
  const rows = await query
    .orderBy('shared_links.created_at', 'desc')
    .orderBy('shared_links.id', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    key: row.key,
    path: linkPath(row.key),
    albumId: row.album_id,
    title: row.title,
    expiresAt: row.expires_at,
    allowDownload: row.allow_download === 1,
    showDetails: row.show_details === 1,
    showPlace: row.show_place === 1,
    count: Number(row.count ?? 0),
    hasPassword: row.password_hash !== null,
    views: Number(row.view_count),
    lastUsedAt: row.last_used_at,
    createdAt: row.created_at,
  }));
}

export async function getLink(db: Db, ownerId: string, id: string): Promise<SharedLink> {
  const [link] = await listLinks(db, ownerId, id);
  if (link === undefined) throw new ApiError('LINK_NOT_FOUND');
  return link;
}

export async function updateLink(
  db: Db,
  ownerId: string,
  id: string,
  change: UpdateLinkRequest,
): Promise<void> {
  await getLink(db, ownerId, id);
  const passwordHash =
    change.password === undefined
      ? undefined
      : change.password === null
        ? null
        : await hashPassword(change.password);
  const title = change.title?.trim();
  await db
    .updateTable('shared_links')
    .set({
      ...(title === undefined || title === '' ? {} : { title }),
      ...(change.expiresAt === undefined ? {} : { expires_at: change.expiresAt }),
      ...(change.allowDownload === undefined ? {} : { allow_download: flag(change.allowDownload) }),
      ...(change.showDetails === undefined ? {} : { show_details: flag(change.showDetails) }),
      ...(change.showPlace === undefined ? {} : { show_place: flag(change.showPlace) }),
      ...(passwordHash === undefined ? {} : { password_hash: passwordHash }),
    })
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .execute();
}

/** Revokes a link: it is deleted, and the next request through it is refused. */
export async function deleteLink(db: Db, ownerId: string, id: string): Promise<void> {
  const result = await db
    .deleteFrom('shared_links')
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw new ApiError('LINK_NOT_FOUND');
}

/** The working link with this key: LINK_UNAVAILABLE when there is none or it has expired. */
export async function findLiveLink(db: Db, key: string, now: Date): Promise<LinkRow> {
  const link = await db.selectFrom('shared_links').selectAll().where('key', '=', key).executeTakeFirst();
  if (link === undefined) throw new ApiError('LINK_UNAVAILABLE');
  if (link.expires_at !== null && link.expires_at <= now.toISOString())
    throw new ApiError('LINK_UNAVAILABLE');
  return link;
}

/**
 * The proof that a visitor gave the link's password: an HMAC of the link's id keyed by its
 * password hash, which never leaves the server. A new password makes a new hash, and so ends
 * every earlier proof.
 */
export function unlockToken(link: Pick<LinkRow, 'id' | 'password_hash'>): string | null {
  if (link.password_hash === null) return null;
  return createHmac('sha256', link.password_hash).update(`shoebox link ${link.id}`).digest('base64url');
}

/** Whether `presented` (the cookie) proves the password of `link`; true for a link without one. */
export function isUnlocked(
  link: Pick<LinkRow, 'id' | 'password_hash'>,
  presented: string | undefined,
): boolean {
  const expected = unlockToken(link);
  if (expected === null) return true;
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function recordView(db: Db, linkId: string, now: Date): Promise<void> {
  await db
    .updateTable('shared_links')
    .set((eb) => ({ view_count: eb('view_count', '+', 1), last_used_at: now.toISOString() }))
    .where('id', '=', linkId)
    .execute();
}

/** One of the link's photos, outside the trash, or undefined. */
export async function findLinkAsset(db: Db, link: LinkRow, assetId: string): Promise<AssetRow | undefined> {
  const query = db
    .selectFrom('assets')
    .selectAll('assets')
    .where('assets.id', '=', assetId)
    .where('assets.deleted_at', 'is', null);
  if (link.album_id !== null) {
    const albumId = link.album_id;
    return query
      .where('assets.id', 'in', (eb) =>
        eb
          .selectFrom('album_assets')
          .select('album_assets.asset_id')
          .where('album_assets.album_id', '=', albumId),
      )
      .executeTakeFirst();
  }
  return query
    .where('assets.id', 'in', (eb) =>
      eb
        .selectFrom('shared_link_assets')
        .select('shared_link_assets.asset_id')
        .where('shared_link_assets.link_id', '=', link.id),
    )
    .executeTakeFirst();
}

/** An asset as the link shows it: its file name only when the owner shows details or allows downloads. */
export function toPublicAsset(row: AssetSummaryRow, link: LinkRow): PublicAsset {
  const asset = toAsset(row);
  return {
    id: asset.id,
    mimeType: asset.mimeType,
    capturedAt: asset.capturedAt,
    capturedOffsetMinutes: asset.capturedOffsetMinutes,
    width: asset.width,
    height: asset.height,
    durationSeconds: asset.durationSeconds,
    thumb: asset.thumb,
    rotation: asset.rotation,
    filename: link.show_details === 1 || link.allow_download === 1 ? asset.filename : null,
  };
}

/** The details a link shows: camera and size with details on, the place only with place on. */
export function toPublicDetails(row: AssetRow, place: AssetPlace | null, link: LinkRow): PublicAssetDetails {
  const details: AssetDetails = toAssetDetails(row, place);
  const showDetails = link.show_details === 1;
  return {
    ...toPublicAsset(row, link),
    bytes: showDetails ? details.bytes : null,
    make: showDetails ? details.make : null,
    model: showDetails ? details.model : null,
    lens: showDetails ? details.lens : null,
    location: link.show_place === 1 ? details.location : null,
    place: link.show_place === 1 ? details.place : null,
  };
}
