/**
 * Whom a search is for (issue 17): the caller's own library and the photos of the albums they own
 * or are a member of. Every search query keeps to `inScope`.
 */
import { expressionBuilder, sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { normaliseKey } from '../../shared/search-query';
import type { Db } from '../db';
import type { Database } from '../db/schema';

export type AssetsBuilder = ExpressionBuilder<Database, 'assets'>;

/**
 * Whom a search is for: their own library, and the photos of other accounts in albums they own or
 * are a member of when there may be any (most users: none, and every query keeps to the owner's
 * indexes); with the names of those albums by their normalised key.
 */
export interface SearchScope {
  userId: string;
  shared: boolean;
  albums: ReadonlyMap<string, string>;
}

/** The albums `userId` owns or is a member of. */
export function visibleAlbumIds(userId: string) {
  const eb = expressionBuilder<Database, never>();
  return eb
    .selectFrom('albums')
    .select('albums.id')
    .where((inner) =>
      inner.or([
        inner('albums.owner_id', '=', userId),
        inner(
          'albums.id',
          'in',
          eb
            .selectFrom('album_members')
            .select('album_members.album_id')
            .where('album_members.user_id', '=', userId),
        ),
      ]),
    );
}

/**
 * The scope of `userId`'s searches, in one query over their albums. Another account's photos can
 * only be in an album as that account added them (library/albums.ts adds only the adder's own
 * photos, and takes a member's out as they leave): so the user may see some when they are a
 * member of an album, or a member added photos to one of theirs. Asking that reads the albums
 * and their members' additions, never the photos of an album (thousands of the owner's own).
 * Where it says yes and the photos are gone (trashed, say), searches are only slower.
 */
export async function searchScope(db: Db, userId: string): Promise<SearchScope> {
  const rows = await db
    .selectFrom('albums')
    .select((eb) => [
      'albums.name',
      'albums.owner_id',
      eb
        .exists(
          eb
            .selectFrom('album_members')
            .select(sql.lit(1).as('one'))
            .whereRef('album_members.album_id', '=', 'albums.id')
            .where((members) =>
              members.exists(
                members
                  .selectFrom('album_assets')
                  .select(sql.lit(1).as('one'))
                  .whereRef('album_assets.added_by', '=', 'album_members.user_id')
                  .whereRef('album_assets.album_id', '=', 'album_members.album_id'),
              ),
            ),
        )
        .as('contributed'),
    ])
    .where('albums.id', 'in', visibleAlbumIds(userId))
    .orderBy('albums.name')
    .execute();
  const albums = new Map<string, string>();
  for (const { name } of rows) {
    const key = normaliseKey(name);
    if (key !== '' && !albums.has(key)) albums.set(key, name);
  }
  const shared = rows.some((row) => row.owner_id !== userId || Boolean(row.contributed));
  return { userId, shared, albums };
}

/** The assets a search may find: the scope's (the trash is not searched). */
export function inScope(eb: AssetsBuilder, scope: SearchScope): Expression<SqlBool> {
  const own = eb('assets.owner_id', '=', scope.userId);
  return eb.and([
    eb('assets.deleted_at', 'is', null),
    scope.shared
      ? eb.or([
          own,
          eb(
            'assets.id',
            'in',
            eb
              .selectFrom('album_assets')
              .select('album_assets.asset_id')
              .where((inner) => inner('album_assets.album_id', 'in', visibleAlbumIds(scope.userId))),
          ),
        ])
      : own,
  ]);
}

/** Whether the scope has a photo in this place (for places and cameras looked up by name). */
export function hasAssetsAt(eb: ExpressionBuilder<Database, 'places'>, scope: SearchScope) {
  return eb.exists(
    eb
      .selectFrom('assets')
      .select(sql.lit(1).as('one'))
      .where('assets.place_id', 'is not', null)
      .whereRef('assets.place_id', '=', 'places.id')
      .where((inner) => inScope(inner, scope)),
  );
}

export function hasAssetsWith(eb: ExpressionBuilder<Database, 'cameras'>, scope: SearchScope) {
  return eb.exists(
    eb
      .selectFrom('assets')
      .select(sql.lit(1).as('one'))
      .where('assets.camera_id', 'is not', null)
      .whereRef('assets.camera_id', '=', 'cameras.id')
      .where((inner) => inScope(inner, scope)),
  );
}
