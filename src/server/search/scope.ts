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
 * are a member of when there are any (most users: none, and every query keeps to the owner's
 * indexes).
 */
export interface SearchScope {
  userId: string;
  shared: boolean;
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

/** The names of the albums the scope's user owns or is a member of, by their normalised key. */
export async function albumNames(db: Db, scope: SearchScope): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('albums')
    .select('name')
    .where('id', 'in', visibleAlbumIds(scope.userId))
    .orderBy('name')
    .execute();
  const names = new Map<string, string>();
  for (const { name } of rows) {
    const key = normaliseKey(name);
    if (key !== '' && !names.has(key)) names.set(key, name);
  }
  return names;
}

export async function searchScope(db: Db, userId: string): Promise<SearchScope> {
  const other = await db
    .selectFrom('album_assets')
    .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
    .select('album_assets.asset_id')
    .where('assets.owner_id', '<>', userId)
    .where('assets.deleted_at', 'is', null)
    .where((eb) => eb('album_assets.album_id', 'in', visibleAlbumIds(userId)))
    .limit(1)
    .executeTakeFirst();
  return { userId, shared: other !== undefined };
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
