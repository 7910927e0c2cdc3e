/**
 * The queue's model: each state carries only its own fields, and each transition takes only the
 * states it leaves. The `@ts-expect-error` lines are the type-level tests: `npm run typecheck`
 * fails if an impossible item, or a transition from the wrong state, ever compiles.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  DoneItem,
  FailedItem,
  Prepared,
  PreparingItem,
  QueueItem,
  QueuedItem,
  ReadyItem,
  UploadingItem,
  WaitingItem,
} from './item';
import { blobKeyOf, bytesLeftOf, sourceSha256Of } from './item';
import * as to from './transitions';

const prepared: Prepared = {
  sourceSha256: 'a'.repeat(64),
  sha256: 'a'.repeat(64),
  capturedAt: null,
  copy: null,
  posterKey: null,
  note: null,
};

const queuedItem = to.queued(
  { name: 'a.jpg', size: 100, type: 'image/jpeg', lastModified: 5 },
  { id: 'i', addedAt: 1, owner: null },
);
const readyItem = to.ready(to.preparing(queuedItem), 'image/jpeg', prepared);
const failure = { error: 'Down.', now: 1_000, delay: (attempts: number) => attempts * 100 };

describe('impossible items do not compile', () => {
  it('keeps each state to its own fields', () => {
    const done = to.done(readyItem, { assetId: 'x', outcome: 'created' });
    // @ts-expect-error a done item has no stored file left
    const doneWithFile: DoneItem = { ...done, blobKey: 'i/original' };
    // @ts-expect-error a queued item has not been prepared, so it has no hashes yet
    const queuedWithHash: QueuedItem = { ...queuedItem, prepared };
    const unprepared = { ...queuedItem, upload: null, attempts: 0, startOffset: 0 };
    // @ts-expect-error an uploading item has been prepared
    const uploadingUnprepared: UploadingItem = { ...unprepared, state: 'uploading' };
    // @ts-expect-error a failed item says when it is tried again
    const failedWithoutTime: FailedItem = { ...readyItem, state: 'failed', error: 'x' };
    // @ts-expect-error a ready item has no reason: nothing is wrong with it
    const readyWithReason: QueueItem = { ...readyItem, reason: 'Too big.' };
    // @ts-expect-error a blocked item waiting for sign-in says where it resumes
    const blockedNowhere: WaitingItem = { ...queuedItem, state: 'blocked', cause: 'signed-out', reason: 'r' };
    const written = [doneWithFile, queuedWithHash, uploadingUnprepared, failedWithoutTime, readyWithReason];
    expect([...written, blockedNowhere].map((item) => item.id)).toEqual(Array(6).fill('i'));
  });

  it('types each transition from the states it leaves to the state it makes', () => {
    expectTypeOf(to.preparing).parameter(0).toEqualTypeOf<QueuedItem>();
    expectTypeOf(to.ready).returns.toEqualTypeOf<ReadyItem>();
    expectTypeOf(to.done).parameter(0).toEqualTypeOf<ReadyItem | UploadingItem>();
    expectTypeOf(to.requeued).parameter(0).toEqualTypeOf<FailedItem>();
    // Never called: these lines are here for the type checker only.
    const wrongTransitions = (preparing: PreparingItem): void => {
      // @ts-expect-error only an uploaded (or already backed up) item can be done
      to.done(preparing, { assetId: 'x', outcome: 'created' });
      // @ts-expect-error preparing starts from queued, not from ready
      to.preparing(readyItem);
      // @ts-expect-error a failure needs an attempt in flight, not a queued file
      to.failed(queuedItem, failure);
    };
    expectTypeOf(wrongTransitions).toBeFunction();
  });
});

describe('transitions', () => {
  it('drops the previous state’s fields and keeps the shared ones', () => {
    const failed = to.failed(to.uploading(readyItem), failure);
    const again = to.requeued(failed);
    expect(again).toEqual({ ...readyItem, attempts: 1 });
    expect(again).not.toHaveProperty('error');
    const done = to.done(to.uploading(again), { assetId: 'x', outcome: 'created' });
    expect(Object.keys(done).sort()).toEqual(
      [
        'addedAt',
        'assetId',
        'capturedAt',
        'id',
        'lastModified',
        'name',
        'note',
        'outcome',
        'owner',
        'rank',
        'sha256',
        'size',
        'sourceSha256',
        'state',
        'type',
      ].sort(),
    );
  });

  it('backs off only for failures without progress', () => {
    const first = to.failed(to.uploading(readyItem), failure);
    expect(first).toMatchObject({ attempts: 1, nextAttemptAt: 1_100 });
    const second = to.failed(to.uploading(to.requeued(first)), failure);
    expect(second).toMatchObject({ attempts: 2, nextAttemptAt: 1_200 });
    const moving = to.progressed(to.uploading(to.requeued(second)), { url: 'u', offset: 40 });
    expect(to.failed(moving, failure)).toMatchObject({
      attempts: 1,
      nextAttemptAt: 1_100,
      upload: { url: 'u', offset: 40 },
    });
    // Resumed from 40 and failed again before the next chunk: no progress, so it counts.
    const stuck = to.uploading(to.requeued(to.failed(moving, failure)));
    expect(stuck.startOffset).toBe(40);
    expect(to.failed(stuck, failure)).toMatchObject({ attempts: 2 });
  });

  it('resumes a blocked item where it stopped', () => {
    const uploading = to.progressed(to.uploading(readyItem), { url: 'u', offset: 7 });
    const blocked = to.blocked(uploading, 'signed-out', 'Sign in.');
    expect(blocked.resume).toMatchObject({ state: 'ready', upload: { url: 'u', offset: 7 } });
    expect(to.unblocked(blocked)).toEqual({ ...readyItem, upload: { url: 'u', offset: 7 } });
    expect(to.unblocked(to.blocked(queuedItem, 'other-account', 'r'))).toEqual(queuedItem);
    expect(to.retried(to.notStored(queuedItem, 'No room.'))).toBeNull();
  });

  it('answers the stored file, the hash and the bytes left whatever the state', () => {
    const uploading = to.progressed(to.uploading(readyItem), { url: 'u', offset: 30 });
    expect(bytesLeftOf(uploading)).toBe(70);
    expect(bytesLeftOf(to.done(uploading, { assetId: 'x', outcome: 'created' }))).toBe(0);
    expect(sourceSha256Of(queuedItem)).toBeNull();
    expect(sourceSha256Of(to.blocked(uploading, 'signed-out', 'r'))).toBe(prepared.sourceSha256);
    expect(blobKeyOf(to.blocked(uploading, 'signed-out', 'r'))).toBe('i/original');
    expect(blobKeyOf(to.notStored(queuedItem, 'r'))).toBeNull();
  });
});
