import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { QueueDb } from '../queue/queueDb';

// workbox's logger touches `self` on import; node has none, so stand the global object in for it.
vi.hoisted(() => {
  Object.assign(globalThis, { self: globalThis });
});

const { receiveShare, sharedFiles } = await import('./shareTarget');

describe('sharedFiles', () => {
  it('keeps photos, videos and untyped files, drops text and counts other files', () => {
    const form = new FormData();
    form.append('title', 'Holiday');
    form.append('text', 'Look at these');
    form.append('media', new File(['a'], 'a.jpg', { type: 'image/jpeg' }));
    form.append('media', new File(['b'], 'b.mp4', { type: 'video/mp4' }));
    form.append('media', new File(['c'], 'c.heic', { type: '' }));
    form.append('media', new File(['d'], 'd.pdf', { type: 'application/pdf' }));
    form.append('media', 'not a file');
    form.append('other', new File(['e'], 'e.jpg', { type: 'image/jpeg' }));
    const { files, ignored } = sharedFiles(form);
    expect(files.map((file) => file.name)).toEqual(['a.jpg', 'b.mp4', 'c.heic']);
    expect(ignored).toBe(1);
  });

  it('finds nothing in a share of text only', () => {
    const form = new FormData();
    form.append('text', 'https://example.com');
    expect(sharedFiles(form)).toEqual({ files: [], ignored: 0 });
  });
});

describe('receiveShare', () => {
  const post = (body: FormData | string): Request =>
    new Request('http://shoebox.test/share-target', { method: 'POST', body });

  it('queues the shared files, without an owner, from a multipart POST', async () => {
    const form = new FormData();
    form.append('title', 'Holiday');
    form.append('media', new File(['jpeg bytes'], 'beach.jpg', { type: 'image/jpeg' }));
    form.append('media', new File(['mp4 bytes'], 'waves.mp4', { type: 'video/mp4' }));
    form.append('media', new File(['%PDF'], 'ticket.pdf', { type: 'application/pdf' }));
    expect(await receiveShare(post(form))).toEqual({ status: 'queued', queued: 2, ignored: 1 });

    const queue = await QueueDb.open({ notify: () => undefined });
    const items = await queue.list();
    expect(items.map((item) => [item.name, item.state, item.owner])).toEqual([
      ['beach.jpg', 'queued', null],
      ['waves.mp4', 'queued', null],
    ]);
    expect(await (await queue.getBlob(`${items[0]?.id}/original`))?.text()).toBe('jpeg bytes');
    queue.close();
  });

  it('answers a POST without files, or without a form, as nothing shared', async () => {
    const form = new FormData();
    form.append('text', 'hello');
    expect(await receiveShare(post(form))).toEqual({ status: 'empty', ignored: 0 });
    expect(await receiveShare(post('not a form'))).toEqual({ status: 'empty', ignored: 0 });
  });
});
