/**
 * References to originals' bytes, counted in the database (table `blobs`), so that processes
 * sharing one store agree on when bytes may go. Originals are content-addressed per owner, so two
 * assets may share a blob key, and an upload may land on bytes a purge is about to delete.
 *
 * - An upload holds a reference before it stores the bytes (holdBlob); the asset it commits
 *   keeps that reference, and an upload that makes no asset gives it back (releaseBlob).
 * - Purging assets drops their references in the transaction that deletes them (dropBlobRefs),
 *   then deletes the bytes of each key left with none (deleteIfUnreferenced).
 * - The bytes are deleted inside the transaction that deletes the key's row, and only if it has
 *   no reference then: an upload holding a reference meanwhile either committed first (nothing is
 *   deleted) or waits for that transaction (PostgreSQL's unique index makes the insert wait for
 *   the deleting transaction; SQLite has one writer at a time) and then stores the bytes afresh.
 * A process that dies holding a reference leaves the count one too high: the bytes are kept,
 * never lost.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { BlobStore } from './blob-store';

/** Adds a reference to `key` (one more asset, or an upload about to store its bytes). */
export async function holdBlob(db: Kysely<Database>, key: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('blobs')
    .values({ key, refs: 1, updated_at: at })
    .onConflict((conflict) =>
      conflict
        .column('key')
        .doUpdateSet((eb) => ({ refs: eb(eb.ref('blobs.refs'), '+', 1), updated_at: at })),
    )
    .execute();
}

/**
 * Drops `count` references to each key, in the caller's transaction (the one that deletes the
 * assets holding them). Returns the keys that may have none left: pass each to
 * deleteIfUnreferenced once the transaction has committed.
 */
export async function dropBlobRefs(
  db: Kysely<Database>,
  keys: readonly string[],
  now: Date,
): Promise<string[]> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  const emptied: string[] = [];
  for (const [key, count] of counts) {
    const row = await db
      .updateTable('blobs')
      .set((eb) => ({ refs: eb('refs', '-', count), updated_at: now.toISOString() }))
      .where('key', '=', key)
      .returning('refs')
      .executeTakeFirst();
    if (row !== undefined && row.refs <= 0) emptied.push(key);
  }
  return emptied;
}

/**
 * Deletes the bytes of `key` if nothing refers to them any more, together with its row; keeps them
 * otherwise. Safe to call any number of times, from any process.
 */
export async function deleteIfUnreferenced(
  db: Kysely<Database>,
  store: BlobStore,
  key: string,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const gone = await trx
      .deleteFrom('blobs')
      .where('key', '=', key)
      .where('refs', '<=', 0)
      .returning('key')
      .executeTakeFirst();
    if (gone === undefined) return false;
    // Still inside the transaction: an upload that holds the key now waits until the bytes are gone.
    await store.delete(key);
    return true;
  });
}

/** Gives back a reference an upload held without making an asset, deleting the bytes if it was the last. */
export async function releaseBlob(
  db: Kysely<Database>,
  store: BlobStore,
  key: string,
  now: Date,
): Promise<void> {
  const emptied = await dropBlobRefs(db, [key], now);
  if (emptied.length > 0) await deleteIfUnreferenced(db, store, key);
}
