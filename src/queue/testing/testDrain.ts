/**
 * What the drain's unit tests share: a fresh queue (fake-indexeddb) and FakeServer per test, a
 * clock the test moves, the drain's notices, and files whose first bytes say what they are.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach } from 'vitest';
import { prepareFile } from '../../media/prepare';
import type { QueueNotice } from '../channel';
import { drain } from '../drain/drain';
import type { DrainOptions } from '../drain/drain';
import type { QueueItem } from '../item';
import { QueueDb } from '../queueDb';
import { createQueueServer } from '../serverApi';
import { FakeServer, ORIGIN } from './fakeServer';

const JPEG_HEAD = [0xff, 0xd8, 0xff, 0xe0];
const MP4_HEAD = [0, 0, 0, 0x18, ...'ftypisom'.split('').map((c) => c.charCodeAt(0)), 0, 0, 2, 0];

function file(name: string, head: readonly number[], fill: string, size = 64): File {
  const bytes = new Uint8Array(size);
  bytes.set(head);
  for (let i = head.length; i < size; i += 1) bytes[i] = fill.charCodeAt(i % fill.length);
  return new File([bytes], name, {
    type: name.endsWith('.mp4') ? 'video/mp4' : 'image/jpeg',
    lastModified: 1_600_000_000_000,
  });
}

/** A JPEG's magic bytes, then `fill` repeated: files with the same fill are byte-identical. */
export const photo = (name: string, fill = name, size = 64): File => file(name, JPEG_HEAD, fill, size);
export const video = (name: string, size = 64): File => file(name, MP4_HEAD, name, size);

/** Whether a request carries upload bytes: a PATCH, or a creation with its first chunk. */
export const sendsBytes = (input: string, init: RequestInit): boolean =>
  init.method === 'PATCH' || (init.method === 'POST' && new URL(input, ORIGIN).pathname === '/api/uploads');

export interface TestDrain {
  queue: QueueDb;
  server: FakeServer;
  /** The drain's and the queue's `now()`. */
  clock: number;
  /** The drain's notices (running, stopped), in order. */
  notices: QueueNotice[];
  /** One drain of the queue against the FakeServer, as the page runs it, with `overrides`. */
  run(overrides?: Partial<DrainOptions>): ReturnType<typeof drain>;
  /** Every item by its name. */
  byName(): Promise<Record<string, QueueItem>>;
  /** Filenames in the order their uploads were created. */
  uploadOrderSeen(): string[];
  /** A new empty queue and server within a test. */
  reset(): Promise<void>;
}

/** Call at the top level of a test file: each test gets its own queue and server. */
export function useTestDrain(): TestDrain {
  const open = (): Promise<QueueDb> =>
    QueueDb.open({
      name: `drain-test-${crypto.randomUUID()}`,
      notify: () => undefined,
      now: () => test.clock,
    });
  const test: TestDrain = {
    // Both are made in beforeEach, before any test reads them.
    queue: undefined as unknown as QueueDb,
    server: new FakeServer(),
    clock: 1_000_000,
    notices: [],
    run(overrides = {}) {
      return drain({
        queue: test.queue,
        server: createQueueServer(test.server.fetch),
        origin: ORIGIN,
        prepare: prepareFile,
        fetch: test.server.fetch,
        isOnline: () => true,
        now: () => test.clock,
        random: () => 0.5,
        notify: (notice) => test.notices.push(notice),
        ...overrides,
      });
    },
    async byName() {
      return Object.fromEntries((await test.queue.list()).map((item) => [item.name, item]));
    },
    uploadOrderSeen() {
      return [...test.server.assets.values()].map((asset) => asset.filename);
    },
    async reset() {
      test.queue.close();
      test.queue = await open();
      test.server = new FakeServer();
    },
  };
  beforeEach(async () => {
    test.clock = 1_000_000;
    test.notices = [];
    test.queue = await open();
    test.server = new FakeServer();
  });
  afterEach(() => test.queue.close());
  return test;
}
