/**
 * Albums: an owner's named set of photos, shared with other accounts as viewers or contributors.
 * An album holds references; deleting it, or taking a photo out, never touches the photo. A
 * photo in the trash stays in its albums but is not shown (listings.ts) until restored; purging
 * it takes it out (foreign keys, on delete cascade).
 *
 * Who may do what: the owner everything; a contributor adds their own photos and takes out what
 * they added; a viewer only looks. Everyone else gets ALBUM_NOT_FOUND, as for a missing album.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type {
  Album,
  AlbumAccess,
  AlbumMember,
  AlbumOrder,
  MemberRole,
  ShareableAccount,
} from '../../shared/albums';
import type { Db } from '../db';
import type { AlbumsTable } from '../db/schema';
import { ApiError } from '../errors';
import { ASSET_COLUMNS, thumbStateOf } from './assets';

export type AlbumRow = Selectable<AlbumsTable>;

/** An album the caller may see, and what they may do with it. */
export interface AlbumAccessRow {
  album: AlbumRow;
  access: AlbumAccess;
  showInTimeline: boolean;
}

/** The album `albumId` as `userId` sees it; ALBUM_NOT_FOUND when it is not theirs nor shared with them. */
export async function albumFor(db: Db, userId: string, albumId: string): Promise<AlbumAccessRow> {
  const row = await db
    .selectFrom('albums')
    .leftJoin('album_members', (join) =>
      join.onRef('album_members.album_id', '=', 'albums.id').on('album_members.user_id', '=', userId),
    )
    .selectAll('albums')
    .select(['album_members.role as member_role', 'album_members.show_in_timeline'])
    .where('albums.id', '=', albumId)
    .executeTakeFirst();
  if (row === undefined) throw new ApiError('ALBUM_NOT_FOUND');
  const { member_role, show_in_timeline, ...album } = row;
  if (album.owner_id === userId) return { album, access: 'owner', showInTimeline: false };
  if (member_role === null) throw new ApiError('ALBUM_NOT_FOUND');
  return { album, access: member_role, showInTimeline: show_in_timeline === 1 };
}

export async function ownAlbum(db: Db, userId: string, albumId: string): Promise<AlbumRow> {
  const found = await albumFor(db, userId, albumId);
  if (found.access !== 'owner') throw new ApiError('ALBUM_OWNER_ONLY');
  return found.album;
}

/** The ids of every album `userId` owns or is a member of. */
function visibleAlbumIds(db: Db, userId: string) {
  return db
    .selectFrom('albums')
    .select('albums.id as album_id')
    .where('albums.owner_id', '=', userId)
    .union(
      db
        .selectFrom('album_members')
        .select('album_members.album_id')
        .where('album_members.user_id', '=', userId),
    );
}

/**
 * The albums `userId` owns or is a member of (or only `albumIds` among them), as the API shows
 * them: counts, date range, cover and members, in a fixed number of queries whatever their number.
 */
export async function listAlbums(db: Db, userId: string, albumIds?: readonly string[]): Promise<Album[]> {
  if (albumIds?.length === 0) return [];
  let query = db
    .selectFrom('albums')
    .innerJoin('users as owner', 'owner.id', 'albums.owner_id')
    .leftJoin('album_members', (join) =>
      join.onRef('album_members.album_id', '=', 'albums.id').on('album_members.user_id', '=', userId),
    )
    .selectAll('albums')
    .select((eb) => [
      'owner.name as owner_name',
      'album_members.role as member_role',
      'album_members.show_in_timeline',
      eb
        .selectFrom('album_assets')
        .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
        .select((inner) => inner.fn.countAll<number>().as('count'))
        .whereRef('album_assets.album_id', '=', 'albums.id')
        .where('assets.deleted_at', 'is', null)
        .as('count'),
      eb
        .selectFrom('album_assets')
        .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
        .select((inner) => inner.fn.min('album_assets.captured_at').as('first'))
        .whereRef('album_assets.album_id', '=', 'albums.id')
        .where('assets.deleted_at', 'is', null)
        .as('first_captured_at'),
      eb
        .selectFrom('album_assets')
        .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
        .select((inner) => inner.fn.max('album_assets.captured_at').as('last'))
        .whereRef('album_assets.album_id', '=', 'albums.id')
        .where('assets.deleted_at', 'is', null)
        .as('last_captured_at'),
    ])
    .where('albums.id', 'in', visibleAlbumIds(db, userId));
  if (albumIds !== undefined) query = query.where('albums.id', 'in', [...albumIds]);
  const rows = await query.orderBy('albums.updated_at', 'desc').orderBy('albums.id', 'desc').execute();
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);

  const members = await db
    .selectFrom('album_members')
    .innerJoin('users', 'users.id', 'album_members.user_id')
    .select([
      'album_members.album_id',
      'album_members.user_id',
      'album_members.role',
      'album_members.added_at',
      'users.name',
      'users.email',
    ])
    .where('album_members.album_id', 'in', ids)
    .orderBy('album_members.added_at')
    .orderBy('users.name')
    .execute();
  const membersOf = new Map<string, AlbumMember[]>();
  for (const member of members) {
    const list = membersOf.get(member.album_id) ?? [];
    list.push({
      userId: member.user_id,
      name: member.name,
      email: member.email,
      role: member.role,
      addedAt: member.added_at,
    });
    membersOf.set(member.album_id, list);
  }

  const covers = await coversOf(db, rows);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    order: row.sort_order,
    owner: { id: row.owner_id, name: row.owner_name },
    access: row.owner_id === userId ? 'owner' : (row.member_role ?? 'viewer'),
    showInTimeline: row.owner_id !== userId && row.show_in_timeline === 1,
    coverAssetId: row.cover_asset_id,
    cover: covers.get(row.id) ?? null,
    count: Number(row.count ?? 0),
    firstCapturedAt: row.first_captured_at ?? null,
    lastCapturedAt: row.last_captured_at ?? null,
    members: membersOf.get(row.id) ?? [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

/**
 * The cover each album shows: the chosen photo while it is in the album and not in the trash,
 * else the album's first photo in its order.
 */
async function coversOf(
  db: Db,
  albums: readonly Pick<AlbumRow, 'id' | 'cover_asset_id' | 'sort_order'>[],
): Promise<Map<string, Album['cover']>> {
  const covers = new Map<string, Album['cover']>();
  const columns = ASSET_COLUMNS.map((column) => `assets.${column}` as const);
  const chosen = albums.filter((album) => album.cover_asset_id !== null);
  if (chosen.length > 0) {
    const rows = await db
      .selectFrom('album_assets')
      .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
      .select([...columns, 'album_assets.album_id'])
      .where(
        'album_assets.album_id',
        'in',
        chosen.map((album) => album.id),
      )
      .where((eb) =>
        eb.or(
          chosen.map((album) =>
            eb.and([
              eb('album_assets.album_id', '=', album.id),
              eb('album_assets.asset_id', '=', album.cover_asset_id ?? ''),
            ]),
          ),
        ),
      )
      .where('assets.deleted_at', 'is', null)
      .execute();
    for (const row of rows) covers.set(row.album_id, { assetId: row.id, thumb: thumbStateOf(row) });
  }
  for (const album of albums) {
    if (covers.has(album.id)) continue;
    const first = await db
      .selectFrom('album_assets')
      .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
      .select(columns)
      .where('album_assets.album_id', '=', album.id)
      .where('assets.deleted_at', 'is', null)
      .orderBy('album_assets.captured_at', album.sort_order)
      .orderBy('album_assets.asset_id', album.sort_order)
      .limit(1)
      .executeTakeFirst();
    if (first !== undefined) covers.set(album.id, { assetId: first.id, thumb: thumbStateOf(first) });
  }
  return covers;
}

export async function getAlbum(db: Db, userId: string, albumId: string): Promise<Album> {
  const [album] = await listAlbums(db, userId, [albumId]);
  if (album === undefined) throw new ApiError('ALBUM_NOT_FOUND');
  return album;
}

export async function createAlbum(
  db: Db,
  ownerId: string,
  input: { name: string; description: string; assetIds: readonly string[] },
  now: Date,
): Promise<string> {
  const id = randomUUID();
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('albums')
      .values({
        id,
        owner_id: ownerId,
        name: input.name,
        description: input.description,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await insertAlbumAssets(trx, id, ownerId, input.assetIds, now);
  });
  return id;
}

/**
 * Puts those of `assetIds` that `userId` owns and has in the library into the album (those
 * already there stay as they were). Only one's own photos: a contributor cannot put someone
 * else's photo in front of the album's other members.
 */
async function insertAlbumAssets(
  db: Db,
  albumId: string,
  userId: string,
  assetIds: readonly string[],
  now: Date,
): Promise<void> {
  const unique = [...new Set(assetIds)];
  if (unique.length === 0) return;
  await db
    .insertInto('album_assets')
    .columns(['album_id', 'asset_id', 'added_by', 'added_at', 'captured_at'])
    .expression((eb) =>
      eb
        .selectFrom('assets')
        .select((inner) => [
          inner.val(albumId).as('album_id'),
          'assets.id',
          inner.val(userId).as('added_by'),
          inner.val(now.toISOString()).as('added_at'),
          'assets.captured_at',
        ])
        .where('assets.owner_id', '=', userId)
        .where('assets.id', 'in', unique)
        .where('assets.deleted_at', 'is', null),
    )
    .onConflict((conflict) => conflict.columns(['album_id', 'asset_id']).doNothing())
    .execute();
}

/** The ids among `assetIds` that are in the album now. */
async function inAlbum(db: Db, albumId: string, assetIds: readonly string[]): Promise<Set<string>> {
  if (assetIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('album_assets')
    .select('asset_id')
    .where('album_id', '=', albumId)
    .where('asset_id', 'in', [...new Set(assetIds)])
    .execute();
  return new Set(rows.map((row) => row.asset_id));
}

async function touch(db: Db, albumId: string, now: Date): Promise<void> {
  await db.updateTable('albums').set({ updated_at: now.toISOString() }).where('id', '=', albumId).execute();
}

/** Adds the caller's own photos (owner or contributor); answers the ids among `assetIds` now in it that are the caller's. */
export async function addToAlbum(
  db: Db,
  userId: string,
  albumId: string,
  assetIds: readonly string[],
  now: Date,
): Promise<string[]> {
  const { access } = await albumFor(db, userId, albumId);
  if (access === 'viewer') throw new ApiError('ALBUM_READ_ONLY');
  await insertAlbumAssets(db, albumId, userId, assetIds, now);
  await touch(db, albumId, now);
  const owned = await db
    .selectFrom('album_assets')
    .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
    .select('album_assets.asset_id')
    .where('album_assets.album_id', '=', albumId)
    .where('assets.owner_id', '=', userId)
    .where('album_assets.asset_id', 'in', [...new Set(assetIds)])
    .execute();
  const present = new Set(owned.map((row) => row.asset_id));
  return assetIds.filter((id, index) => present.has(id) && assetIds.indexOf(id) === index);
}

/** Takes photos out: the owner any, a contributor only what they added. Answers the ids now out of it. */
export async function removeFromAlbum(
  db: Db,
  userId: string,
  albumId: string,
  assetIds: readonly string[],
  now: Date,
): Promise<string[]> {
  const { access } = await albumFor(db, userId, albumId);
  if (access === 'viewer') throw new ApiError('ALBUM_READ_ONLY');
  const unique = [...new Set(assetIds)];
  const before = await inAlbum(db, albumId, unique);
  let remove = db.deleteFrom('album_assets').where('album_id', '=', albumId).where('asset_id', 'in', unique);
  if (access === 'contributor') remove = remove.where('added_by', '=', userId);
  await remove.execute();
  await touch(db, albumId, now);
  const after = await inAlbum(db, albumId, unique);
  return unique.filter((id) => before.has(id) && !after.has(id));
}

export async function updateAlbum(
  db: Db,
  userId: string,
  albumId: string,
  change: { name?: string; description?: string; order?: AlbumOrder; coverAssetId?: string | null },
  now: Date,
): Promise<void> {
  await ownAlbum(db, userId, albumId);
  if (
    change.coverAssetId != null &&
    !(await inAlbum(db, albumId, [change.coverAssetId])).has(change.coverAssetId)
  ) {
    throw new ApiError('ASSET_NOT_FOUND', 'The cover must be a photo in the album.');
  }
  await db
    .updateTable('albums')
    .set({
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.description === undefined ? {} : { description: change.description }),
      ...(change.order === undefined ? {} : { sort_order: change.order }),
      ...(change.coverAssetId === undefined ? {} : { cover_asset_id: change.coverAssetId }),
      updated_at: now.toISOString(),
    })
    .where('id', '=', albumId)
    .execute();
}

/** Deletes the album (owner only) with its memberships and links; its photos stay in the library. */
export async function deleteAlbum(db: Db, userId: string, albumId: string): Promise<void> {
  await ownAlbum(db, userId, albumId);
  await db.deleteFrom('albums').where('id', '=', albumId).execute();
}

/** The other accounts of the server, to share with. */
export async function shareableAccounts(db: Db, userId: string): Promise<ShareableAccount[]> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name', 'email'])
    .where('id', '<>', userId)
    .orderBy('name')
    .orderBy('email')
    .execute();
  return rows;
}

export async function addMember(
  db: Db,
  userId: string,
  albumId: string,
  member: { userId: string; role: MemberRole },
  now: Date,
): Promise<void> {
  const album = await ownAlbum(db, userId, albumId);
  if (member.userId === album.owner_id) {
    throw new ApiError('BAD_REQUEST', 'The owner of an album is not one of its members.');
  }
  const user = await db.selectFrom('users').select('id').where('id', '=', member.userId).executeTakeFirst();
  if (user === undefined) throw new ApiError('ACCOUNT_NOT_FOUND');
  await db
    .insertInto('album_members')
    .values({ album_id: albumId, user_id: member.userId, role: member.role, added_at: now.toISOString() })
    .onConflict((conflict) => conflict.columns(['album_id', 'user_id']).doUpdateSet({ role: member.role }))
    .execute();
  await touch(db, albumId, now);
}

async function requireMember(db: Db, albumId: string, memberId: string): Promise<void> {
  const row = await db
    .selectFrom('album_members')
    .select('user_id')
    .where('album_id', '=', albumId)
    .where('user_id', '=', memberId)
    .executeTakeFirst();
  if (row === undefined)
    throw new ApiError('ACCOUNT_NOT_FOUND', 'That account is not a member of this album.');
}

/** The owner changes a member's role; a member changes whether the album shows in their timeline. */
export async function updateMember(
  db: Db,
  userId: string,
  albumId: string,
  memberId: string,
  change: { role?: MemberRole; showInTimeline?: boolean },
  now: Date,
): Promise<void> {
  const { access } = await albumFor(db, userId, albumId);
  if (change.role !== undefined && access !== 'owner') throw new ApiError('ALBUM_OWNER_ONLY');
  if (change.showInTimeline !== undefined && memberId !== userId) {
    throw new ApiError('FORBIDDEN', 'Only members themselves choose what their timeline shows.');
  }
  if (access !== 'owner' && memberId !== userId) throw new ApiError('ALBUM_OWNER_ONLY');
  await requireMember(db, albumId, memberId);
  await db
    .updateTable('album_members')
    .set({
      ...(change.role === undefined ? {} : { role: change.role }),
      ...(change.showInTimeline === undefined ? {} : { show_in_timeline: change.showInTimeline ? 1 : 0 }),
    })
    .where('album_id', '=', albumId)
    .where('user_id', '=', memberId)
    .execute();
  if (change.role !== undefined) await touch(db, albumId, now);
}

/**
 * The owner removes a member, or a member leaves. What they added leaves with them: their photos
 * were shared with the album's people because they were in it.
 */
export async function removeMember(
  db: Db,
  userId: string,
  albumId: string,
  memberId: string,
  now: Date,
): Promise<void> {
  const { access } = await albumFor(db, userId, albumId);
  if (access !== 'owner' && memberId !== userId) throw new ApiError('ALBUM_OWNER_ONLY');
  await requireMember(db, albumId, memberId);
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('album_assets')
      .where('album_id', '=', albumId)
      .where('added_by', '=', memberId)
      .execute();
    await trx
      .deleteFrom('album_members')
      .where('album_id', '=', albumId)
      .where('user_id', '=', memberId)
      .execute();
  });
  await touch(db, albumId, now);
}

/**
 * Whether `userId` may see the asset `assetId` of another account through an album: one they own
 * or are a member of holds it, and it is not in the trash.
 */
export function sharedWith(db: Db, userId: string) {
  return db
    .selectFrom('album_assets')
    .select('album_assets.asset_id')
    .where('album_assets.album_id', 'in', visibleAlbumIds(db, userId));
}
