import { describe, expect, it } from 'vitest';
import * as to from '../queue/transitions';
import { QueueMirror } from './queueMirror';

const prepared = {
  sourceSha256: 'a',
  sha256: 'a',
  capturedAt: null,
  copy: null,
  posterKey: null,
  note: null,
};

function queued(id: string, addedAt: number, size = 100): ReturnType<typeof to.queued> {
  return to.queued(
    { name: `${id}.jpg`, size, type: 'image/jpeg', lastModified: 0 },
    { id, addedAt, owner: null },
  );
}

describe('QueueMirror', () => {
  it('keeps items in the order added, whatever order their notices come in', () => {
    const mirror = new QueueMirror();
    for (const item of [queued('c', 3), queued('a', 1), queued('b', 2)]) mirror.apply(item);
    expect(mirror.newest(2).map((item) => item.id)).toEqual(['c', 'b']);
    expect(mirror.newest(10).map((item) => item.id)).toEqual(['c', 'b', 'a']);
  });

  it('keeps counts, bytes left and the current item as items change one by one', () => {
    const mirror = new QueueMirror();
    const a = queued('a', 1, 100);
    const b = queued('b', 2, 50);
    mirror.reset([a, b]);
    expect(mirror.counts).toMatchObject({ queued: 2 });
    expect(mirror.bytesLeft).toBe(150);

    const uploading = to.progressed(to.uploading(to.ready(to.preparing(a), 'image/jpeg', prepared)), {
      url: 'u',
      offset: 40,
    });
    mirror.apply(uploading);
    expect(mirror.counts).toMatchObject({ queued: 1, uploading: 1 });
    expect(mirror.bytesLeft).toBe(110);
    expect(mirror.current()?.id).toBe('a');

    mirror.apply(to.done(uploading, { assetId: 'x', outcome: 'created' }));
    mirror.apply(to.notStored(b, 'No room.'));
    expect(mirror.counts).toMatchObject({ queued: 0, uploading: 0, done: 1, blocked: 1 });
    expect(mirror.blocked.storage).toBe(1);
    expect(mirror.bytesLeft).toBe(0);
    expect(mirror.current()).toBeNull();

    mirror.remove('b');
    expect(mirror.counts.blocked).toBe(0);
    expect(mirror.blocked.storage).toBe(0);
    expect(mirror.size).toBe(1);
  });

  it('keeps, when the queue is read again, the files listed here only', () => {
    const mirror = new QueueMirror();
    const stored = queued('a', 1);
    const notStored = to.notStored(queued('b', 2), 'No room.');
    mirror.reset([stored]);
    mirror.apply(notStored);
    mirror.reset([stored], (item) => item.state === 'blocked');
    expect(mirror.newest(10).map((item) => item.id)).toEqual(['b', 'a']);
    expect(mirror.blocked.storage).toBe(1);
  });
});

describe('QueueMirror.nextRetry (issue 18, finding 11)', () => {
  it('answers the failed item due first, with its error, and null once none is failed', () => {
    const mirror = new QueueMirror();
    const full = 'Server storage full. Shoebox will try again later.';
    const readyItem = (id: string, addedAt: number) =>
      to.ready(to.preparing(queued(id, addedAt)), 'image/jpeg', prepared);
    const later = to.failed(readyItem('a', 1), { error: 'No connection.', delay: () => 60_000, now: 1_000 });
    const sooner = to.failed(readyItem('b', 2), { error: full, delay: () => 5_000, now: 1_000 });
    mirror.reset([later, sooner, queued('c', 3)]);
    expect(mirror.nextRetry()).toEqual({ error: full, nextAttemptAt: 6_000 });
    mirror.apply(to.requeued(sooner));
    expect(mirror.nextRetry()).toEqual({ error: 'No connection.', nextAttemptAt: 61_000 });
    mirror.remove('a');
    expect(mirror.nextRetry()).toBeNull();
  });
});

describe('QueueMirror.bytesSent (the upload rate and time left)', () => {
  it('counts bytes that reached the server, not files skipped or found already backed up', () => {
    const mirror = new QueueMirror();
    const readyItem = (id: string, addedAt: number, size: number) =>
      to.ready(to.preparing(queued(id, addedAt, size)), 'image/jpeg', prepared);
    const big = readyItem('big', 1, 100);
    const twice = readyItem('twice', 2, 30);
    const empty = to.preparing(queued('empty', 3, 0));
    const photo = readyItem('photo', 4, 20);
    mirror.reset([big, twice, empty, photo]);

    // Skipped, or already in the library: smaller bytes left, nothing sent.
    mirror.apply(to.skipped(empty, 'This file is empty.'));
    mirror.apply(to.done(twice, { assetId: 'x', outcome: 'duplicate' }));
    expect(mirror.bytesSent).toBe(0);

    // A chunked upload: each confirmed offset, then the rest once created; a failure and its
    // resumption from the offset kept send nothing again.
    const first = to.progressed(to.uploading(big), { url: 'u', offset: 40 });
    mirror.apply(to.uploading(big));
    mirror.apply(first);
    expect(mirror.bytesSent).toBe(40);
    const failed = to.failed(first, { error: 'Dropped.', delay: () => 1_000, now: 0 });
    mirror.apply(failed);
    const resumed = to.uploading(to.requeued(failed));
    mirror.apply(to.requeued(failed));
    mirror.apply(resumed);
    expect(mirror.bytesSent).toBe(40);
    mirror.apply(to.done(resumed, { assetId: 'y', outcome: 'created' }));
    expect(mirror.bytesSent).toBe(100);

    // A photo in one request: all of it at once.
    mirror.apply(to.uploading(photo));
    mirror.apply(to.done(to.uploading(photo), { assetId: 'z', outcome: 'created' }));
    expect(mirror.bytesSent).toBe(120);
  });
});

describe('QueueMirror.bytesAdded and bytesDropped (the progress bar of a run)', () => {
  it('counts files added as work, and what leaves unsent as dropped: skipped, removed, saved by the copy', () => {
    const mirror = new QueueMirror();
    const [a, b, c] = [queued('a', 1, 100), queued('b', 2, 50), queued('c', 3, 30)];
    // The queue as read when the page opens, then two files added.
    mirror.reset([a]);
    mirror.apply(b);
    mirror.apply(c);
    expect(mirror.bytesAdded).toBe(180);
    // Storage saver's copy of a is 60 bytes: 40 will never be sent.
    mirror.apply(
      to.ready(to.preparing(a), 'image/jpeg', { ...prepared, copy: { key: 'a/upload', size: 60 } }),
    );
    mirror.apply(to.skipped(to.preparing(b), 'Not a photo.'));
    mirror.remove('c');
    expect(mirror.bytesDropped).toBe(40 + 50 + 30);
    expect(mirror.bytesLeft).toBe(60);
    // Read again with more in the queue than this page saw added: the difference is added work.
    mirror.reset([
      to.ready(to.preparing(a), 'image/jpeg', { ...prepared, copy: { key: 'a/upload', size: 60 } }),
      queued('d', 4, 7),
    ]);
    expect(mirror.bytesAdded).toBe(187);
    expect(mirror.bytesDropped).toBe(120);
  });
});
