import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Insertable } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AssetPage } from '../../shared/api';
import { openDatabase, type Db } from '../db';
import type { AssetsTable } from '../db/schema';
import { listAssets, readAssetPageJson, type TimelineQuery } from './assets';
import { decodeCursor } from './cursor';

let dir: string;
let db: Db;
let ownerId: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-asset-page-json-'));
  db = await openDatabase(path.join(dir, 'shoebox.sqlite'));
  ownerId = randomUUID();
  await db
    .insertInto('users')
    .values({
      id: ownerId,
      email: 'ada@example.com',
      name: 'Ada',
      password_hash: 'x',
      role: 'owner',
      created_at: '2026-01-01T00:00:00.000Z',
    })
    .execute();
});

afterEach(async () => {
  await db.destroy();
  await fs.rm(dir, { recursive: true, force: true });
});

let serial = 0;

async function addAsset(fields: Partial<Insertable<AssetsTable>> = {}): Promise<string> {
  const id = randomUUID();
  const hash = (serial++).toString(16).padStart(64, '0');
  await db
    .insertInto('assets')
    .values({
      id,
      owner_id: ownerId,
      filename: 'IMG_0001.jpg',
      mime_type: 'image/jpeg',
      bytes: 2_500_000,
      sha256: hash,
      source_sha256: hash,
      captured_at: '2025-06-01T12:00:00.000Z',
      uploaded_at: '2026-01-02T08:00:00.000Z',
      blob_key: `blobs/${id}`,
      ...fields,
    })
    .execute();
  return id;
}

/** The page as the route wrote it before SQLite did: listAssets' objects through JSON.stringify. */
async function expected(page: TimelineQuery): Promise<string> {
  return JSON.stringify(await listAssets(db, ownerId, page));
}

const FIRST: TimelineQuery = { after: null, before: null, limit: 100 };

describe('readAssetPageJson', () => {
  it('writes each field as toAsset does: present, absent, and every thumbnail state', async () => {
    await addAsset();
    await addAsset({
      filename: 'VID_0002.mp4',
      mime_type: 'video/mp4',
      captured_at: '2025-06-02T09:30:00.000Z',
      captured_offset_minutes: -420,
      width: 1920,
      height: 1080,
      duration_seconds: 12.345,
      latitude: 48.858_37,
      longitude: 2.294_481,
      make: 'Apple',
      model: 'iPhone 12',
      thumb_state: 'ready',
      thumb_version: 'a'.repeat(24),
    });
    await addAsset({
      captured_at: '2025-06-03T00:00:00.000Z',
      thumb_state: 'placeholder',
      thumb_code: 'unsupported',
      thumb_reason: 'The file could not be decoded.',
    });
    await addAsset({
      captured_at: '2025-06-04T00:00:00.000Z',
      thumb_state: 'placeholder',
      thumb_code: 'unsupported',
      thumb_reason: null,
    });
    await addAsset({ captured_at: '2025-06-05T00:00:00.000Z', deleted_at: null, duration_seconds: 30 });
    // In the trash: not on the timeline at all.
    await addAsset({ captured_at: '2025-06-06T00:00:00.000Z', deleted_at: '2026-01-03T00:00:00.000Z' });

    const page = JSON.parse(readAssetPageJson(db, ownerId, FIRST) ?? '') as AssetPage;
    expect(page).toEqual(await listAssets(db, ownerId, FIRST));
    expect(page.items).toHaveLength(5);
    expect(page.items.map((item) => item.thumb.state)).toEqual([
      'pending',
      'placeholder',
      'placeholder',
      'ready',
      'pending',
    ]);
  });

  it('escapes names as JSON.stringify does: quotes, backslashes, control characters, unicode', async () => {
    const names = [
      'say "cheese".jpg',
      'C:\\DCIM\\IMG.jpg',
      'line\nbreak\ttab\u0000nul\u001f\u007f.jpg',
      'été 😀 中文 \u2028\u2029.heic',
      "l'été </script>.jpg",
    ];
    for (const [index, filename] of names.entries()) {
      await addAsset({ filename, captured_at: `2025-06-0${index + 1}T00:00:00.000Z` });
    }
    const json = readAssetPageJson(db, ownerId, FIRST);
    expect(json).toBe(await expected(FIRST));
    expect((JSON.parse(json ?? '') as AssetPage).items.map((item) => item.filename).reverse()).toEqual(names);
  });

  it('writes fractional and whole durations as the same numbers', async () => {
    // Durations as containers give them: milliseconds, frames at 29.97 fps, arbitrary timescales.
    const durations = [30, 0.5, 1 / 3, 2 / 3, 0.1 + 0.2, 12.345, 29.97, 3600.041_666_666_666_5, 123_456.789];
    for (let frames = 1; frames < 400; frames += 7) durations.push((frames * 1001) / 30_000);
    for (let ms = 1; ms < 100_000; ms += 997) durations.push(ms / 1000);
    for (const [index, duration] of durations.entries()) {
      await addAsset({
        duration_seconds: duration,
        captured_at: new Date(Date.UTC(2025, 0, 1) + index * 1000).toISOString(),
      });
    }
    const page = { after: null, before: null, limit: 500 };
    const json = readAssetPageJson(db, ownerId, page) ?? '';
    const direct = await listAssets(db, ownerId, page);
    // The same doubles, whatever the digits.
    expect(JSON.parse(json)).toEqual(direct);
  });

  it('pages as listAssets does: the same cursor, the same next page, null on the last one', async () => {
    // Ties on capture time, as a burst has: the id decides.
    for (let i = 0; i < 7; i++) await addAsset({ captured_at: `2025-06-0${1 + (i % 3)}T00:00:00.000Z` });
    let after = null;
    const seen: string[] = [];
    for (let pages = 0; pages < 4; pages++) {
      const page = { after, before: null, limit: 3 };
      const json = readAssetPageJson(db, ownerId, page) ?? '';
      expect(json).toBe(await expected(page));
      const parsed = JSON.parse(json) as AssetPage;
      seen.push(...parsed.items.map((item) => item.id));
      if (parsed.nextCursor === null) break;
      after = decodeCursor(parsed.nextCursor);
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    // Exactly a page's worth left: no next cursor, as listAssets says.
    const whole = { after: null, before: null, limit: 7 };
    expect(readAssetPageJson(db, ownerId, whole)).toBe(await expected(whole));
    expect(JSON.parse(readAssetPageJson(db, ownerId, whole) ?? '')).toMatchObject({ nextCursor: null });
  });

  it('answers "from" (before) and an empty library as listAssets does', async () => {
    const empty = readAssetPageJson(db, ownerId, FIRST);
    expect(empty).toBe('{"items":[],"nextCursor":null}');
    expect(empty).toBe(await expected(FIRST));
    for (let day = 1; day <= 9; day++) await addAsset({ captured_at: `2025-06-0${day}T10:00:00.000Z` });
    const page = { after: null, before: '2025-06-05T00:00:00.000Z', limit: 2 };
    expect(readAssetPageJson(db, ownerId, page)).toBe(await expected(page));
  });

  it('leaves to listAssets a row toAsset refuses, and a read inside a transaction', async () => {
    await addAsset({ thumb_state: 'ready', thumb_version: null });
    expect(readAssetPageJson(db, ownerId, FIRST)).toBeUndefined();
    await expect(listAssets(db, ownerId, FIRST)).rejects.toThrow(/inconsistent thumbnail state/);

    await db.deleteFrom('assets').execute();
    await addAsset();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('assets').set({ filename: 'renamed.jpg' }).execute();
      // The connection is inside the transaction: a read beside Kysely's queue would see its write.
      expect(readAssetPageJson(db, ownerId, FIRST)).toBeUndefined();
    });
    expect(readAssetPageJson(db, ownerId, FIRST)).toBe(await expected(FIRST));
  });
});
