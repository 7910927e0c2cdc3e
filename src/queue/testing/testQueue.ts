/**
 * A fresh queue for each test of a file (fake-indexeddb), with the notices it sent and a clock
 * the test moves: what the unit tests of queueDb.ts, adding.ts and bulk.ts share.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach } from 'vitest';
import type { QueueNotice } from '../channel';
import type { QueueItem, ReadyItem } from '../item';
import { QueueDb } from '../queueDb';
import type { Failure } from '../transitions';

export const HASH_A = 'a'.repeat(64);

export function photo(name: string, bytes = 3, lastModified = 1_700_000_000_000): File {
  return new File(['x'.repeat(bytes)], name, { type: 'image/jpeg', lastModified });
}

export interface TestQueue {
  queue: QueueDb;
  /** What the queue announced, in order. */
  notices: QueueNotice[];
  /** The queue's `now()`. */
  clock: number;
  /** A photo added, prepared and ready to upload. */
  readyItem(name?: string, size?: number): Promise<ReadyItem>;
  /** Every item by its name. */
  byName(): Promise<Record<string, QueueItem>>;
  /** A failure now whose backoff is a second per attempt. */
  failure(error: string, options?: { forgetUpload?: boolean }): Failure;
}

/** Call at the top level of a test file: each test gets its own queue, closed after it. */
export function useTestQueue(): TestQueue {
  const test: TestQueue = {
    queue: undefined as unknown as QueueDb, // Opened in beforeEach, before any test reads it.
    notices: [],
    clock: 1_000,
    async readyItem(name = 'a.jpg', size = 3) {
      const [item] = await test.queue.addFiles([photo(name, size)]);
      if (item === undefined) throw new Error('not added');
      await test.queue.markPreparing(item.id);
      return test.queue.markReady(item.id, {
        type: 'image/jpeg',
        sourceSha256: HASH_A,
        sha256: HASH_A,
        capturedAt: null,
      });
    },
    async byName() {
      return Object.fromEntries((await test.queue.list()).map((item) => [item.name, item]));
    },
    failure(error, options = {}) {
      return { error, now: test.clock, delay: (attempts) => attempts * 1_000, ...options };
    },
  };
  beforeEach(async () => {
    test.notices = [];
    test.clock = 1_000;
    test.queue = await QueueDb.open({
      name: `queue-test-${crypto.randomUUID()}`,
      notify: (notice) => test.notices.push(notice),
      now: () => test.clock,
    });
  });
  afterEach(() => test.queue.close());
  return test;
}
