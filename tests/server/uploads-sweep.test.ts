/**
 * Unfinished uploads nobody has written to for a week are deleted by the hourly sweep, with every
 * file they left; recent ones are kept and can still be finished.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TUS_ENDPOINT, UPLOAD_OUTCOME_HEADER } from '../../src/shared/tus';
import { UNFINISHED_UPLOAD_KEEP_MS } from '../../src/server/uploads/routes';
import {
  authHeaders,
  bodyOf,
  createOwner,
  encodeMetadata,
  jobsIdle,
  listFiles,
  readCorpusFile,
  sha256Hex,
  startServer,
  type Auth,
  type TestServer,
} from './helpers';

const FILENAME = 'IMG_20180725_163423.jpg';

/** Creates an upload of `bytes` carrying its first `sent` bytes, and answers its URL. */
async function startUpload(baseUrl: string, auth: Auth, bytes: Buffer, sent: number): Promise<URL> {
  const sha256 = sha256Hex(bytes);
  const response = await fetch(`${baseUrl}${TUS_ENDPOINT}`, {
    method: 'POST',
    headers: {
      ...authHeaders(auth),
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes.length),
      'upload-metadata': encodeMetadata({
        filename: FILENAME,
        type: 'image/jpeg',
        sha256,
        sourceSha256: sha256,
      }),
      'content-type': 'application/offset+octet-stream',
    },
    body: bodyOf(bytes.subarray(0, sent)),
  });
  expect(response.status).toBe(201);
  expect(response.headers.get('upload-offset')).toBe(String(sent));
  return new URL(response.headers.get('location') ?? '', baseUrl);
}

async function offsetOf(url: URL, auth: Auth): Promise<number | null> {
  const response = await fetch(url, {
    method: 'HEAD',
    headers: { ...authHeaders(auth), 'tus-resumable': '1.0.0' },
  });
  return response.status === 200 ? Number(response.headers.get('upload-offset')) : null;
}

describe('the sweep of unfinished uploads', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('deletes those left for a week, with their files, and keeps the recent ones resumable', async () => {
    const bytes = await readCorpusFile(FILENAME);
    const first = await startServer();
    const owner = await createOwner(first.baseUrl);
    const abandoned = await startUpload(first.baseUrl, owner.auth, bytes, 1000);
    const recent = await startUpload(first.baseUrl, owner.auth, bytes, 2000);
    await first.stop();

    const uploads = path.join(first.dataDir, 'uploads');
    const abandonedId = path.basename(abandoned.pathname);
    // Written to a week and a minute ago; and a hash sidecar that an earlier version left behind.
    const longAgo = new Date(Date.now() - UNFINISHED_UPLOAD_KEEP_MS - 60_000);
    for (const name of [abandonedId, `${abandonedId}.json`]) {
      await fs.utimes(path.join(uploads, name), longAgo, longAgo);
    }
    const strayId = `${owner.user.id}_${'0'.repeat(32)}`;
    await fs.writeFile(path.join(uploads, `${strayId}.sha256`), 'state');
    await fs.utimes(path.join(uploads, `${strayId}.sha256`), longAgo, longAgo);
    const recentId = path.basename(recent.pathname);

    // Two hours later the hourly sweep is due, and the restarted server runs it as it starts.
    const later = (): Date => new Date(Date.now() + 2 * 60 * 60 * 1000);
    server = await startServer({ dataDir: first.dataDir, app: { now: later } });
    await jobsIdle(server);
    const base = new URL(server.baseUrl);
    const at = (url: URL): URL => new URL(url.pathname, base);

    expect((await listFiles(uploads)).sort()).toEqual([recentId, `${recentId}.json`].sort());
    expect(await offsetOf(at(abandoned), owner.auth)).toBeNull();
    expect(await offsetOf(at(recent), owner.auth)).toBe(2000);

    // The recent one finishes where it stopped.
    const finished = await fetch(at(recent), {
      method: 'PATCH',
      headers: {
        ...authHeaders(owner.auth),
        'tus-resumable': '1.0.0',
        'upload-offset': '2000',
        'content-type': 'application/offset+octet-stream',
      },
      body: bodyOf(bytes.subarray(2000)),
    });
    expect(finished.status).toBe(204);
    expect(finished.headers.get(UPLOAD_OUTCOME_HEADER)).toBe('created');
  });
});
