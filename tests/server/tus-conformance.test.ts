/**
 * tus 1.0.0 (https://tus.io/protocols/resumable-upload) against the real server, as a generic
 * client sees it: a token, no Shoebox metadata. One test per MUST and SHOULD of the core protocol
 * and of each extension the server advertises (creation, creation-with-upload,
 * creation-defer-length, expiration, termination, checksum), the clause quoted in its name.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bodyOf,
  createApiToken,
  createOwner,
  encodeMetadata,
  readCorpusFile,
  startServer,
  type TestServer,
} from './helpers';

const OCTETS = 'application/offset+octet-stream';
const PHOTO = 'IMG_20180725_163423.jpg';

describe('tus 1.0.0 conformance', () => {
  let server: TestServer;
  let token: string;
  let photo: Buffer;

  const send = (
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: Uint8Array,
  ): Promise<Response> =>
    fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...headers },
      body: body === undefined ? null : bodyOf(body),
    });

  /** Creates an upload of `length` bytes (or a deferred one), answering its path. */
  const create = async (length: number | 'deferred', metadata = { filename: PHOTO }): Promise<string> => {
    const response = await send('POST', '/api/uploads', {
      ...(length === 'deferred' ? { 'upload-defer-length': '1' } : { 'upload-length': String(length) }),
      'upload-metadata': encodeMetadata(metadata),
    });
    expect(response.status).toBe(201);
    return new URL(response.headers.get('location') ?? '', server.baseUrl).pathname;
  };
  const patch = (path: string, offset: number, bytes: Uint8Array, headers: Record<string, string> = {}) =>
    send('PATCH', path, { 'upload-offset': String(offset), 'content-type': OCTETS, ...headers }, bytes);
  const offsetOf = async (path: string): Promise<string | null> =>
    (await send('HEAD', path)).headers.get('upload-offset');

  beforeAll(async () => {
    server = await startServer({ app: { startJobs: false } });
    const owner = await createOwner(server.baseUrl);
    token = (await createApiToken(server.baseUrl, owner.auth, 'conformance')).token;
    photo = await readCorpusFile(PHOTO);
  });
  afterAll(async () => {
    await server.close();
  });

  describe('core protocol', () => {
    it('"The Tus-Resumable header MUST be included in every request and response except for OPTIONS requests"', async () => {
      const path = await create(photo.length);
      const answers = [
        await send('HEAD', path),
        await patch(path, 0, photo.subarray(0, 10)),
        await patch(path, 0, photo.subarray(0, 10)), // 409
        await send('HEAD', '/api/uploads/nope'), // 404
        await fetch(`${server.baseUrl}${path}`, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } }), // 401
        await send('DELETE', path),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([200, 204, 409, 404, 401, 204]);
      for (const answer of answers) expect(answer.headers.get('tus-resumable')).toBe('1.0.0');
    });

    it('"If the version specified by the Client is not supported by the Server, it MUST respond with the 412 Precondition Failed status and MUST include the Tus-Version header"', async () => {
      const before = await create(photo.length);
      const answer = await send(
        'PATCH',
        before,
        {
          'tus-resumable': '0.2.2',
          'upload-offset': '0',
          'content-type': OCTETS,
        },
        photo.subarray(0, 100),
      );
      expect(answer.status).toBe(412);
      expect(answer.headers.get('tus-version')).toBe('1.0.0');
      // "In addition, the Server MUST NOT process the request."
      expect(await offsetOf(before)).toBe('0');
    });

    it('"The Server MUST always include the Upload-Offset header in the response for a HEAD request, even if the offset is 0, or the upload is already considered completed"', async () => {
      const fresh = await create(photo.length);
      expect(await offsetOf(fresh)).toBe('0');
      const done = await create(photo.length);
      expect((await patch(done, 0, photo)).status).toBe(204);
      expect(await offsetOf(done)).toBe(String(photo.length));
    });

    it('"If the size of the upload is known, the Server MUST include the Upload-Length header in the response"', async () => {
      const path = await create(photo.length);
      expect((await send('HEAD', path)).headers.get('upload-length')).toBe(String(photo.length));
    });

    it('"If the resource is not found, the Server SHOULD return either the 404 Not Found, 410 Gone or 403 Forbidden status without the Upload-Offset header"', async () => {
      const answer = await send(
        'HEAD',
        '/api/uploads/00000000-0000-0000-0000-000000000000_00000000000000000000000000000000',
      );
      expect(answer.status).toBe(404);
      expect(answer.headers.get('upload-offset')).toBeNull();
    });

    it('"The Server MUST prevent the client and/or proxies from caching the response by adding the Cache-Control: no-store header" to HEAD', async () => {
      const path = await create(photo.length);
      expect((await send('HEAD', path)).headers.get('cache-control')).toBe('no-store');
    });

    it('"The Server SHOULD accept PATCH requests against any upload URL and apply the bytes contained in the message at the given offset"', async () => {
      const path = await create(photo.length);
      expect((await patch(path, 0, photo.subarray(0, 1000))).status).toBe(204);
      expect((await patch(path, 1000, photo.subarray(1000, 5000))).status).toBe(204);
      expect(await offsetOf(path)).toBe('5000');
    });

    it('"All PATCH requests MUST use Content-Type: application/offset+octet-stream, otherwise the server SHOULD return a 415 Unsupported Media Type status"', async () => {
      const path = await create(photo.length);
      const answer = await patch(path, 0, photo.subarray(0, 100), {
        'content-type': 'application/octet-stream',
      });
      expect(answer.status).toBe(415);
      expect(await offsetOf(path)).toBe('0');
    });

    it('"If the offsets do not match, the Server MUST respond with the 409 Conflict status without modifying the upload resource"', async () => {
      const path = await create(photo.length);
      expect((await patch(path, 0, photo.subarray(0, 100))).status).toBe(204);
      expect((await patch(path, 50, photo.subarray(50, 200))).status).toBe(409);
      expect(await offsetOf(path)).toBe('100');
    });

    it('"The Server MUST acknowledge successful PATCH requests with the 204 No Content status. It MUST include the Upload-Offset header containing the new offset"', async () => {
      const path = await create(photo.length);
      const answer = await patch(path, 0, photo.subarray(0, 4321));
      expect(answer.status).toBe(204);
      expect(answer.headers.get('upload-offset')).toBe('4321');
    });

    it('"If the server receives a PATCH request against a non-existent resource it SHOULD return a 404 Not Found status"', async () => {
      const answer = await patch(
        '/api/uploads/00000000-0000-0000-0000-000000000000_00000000000000000000000000000000',
        0,
        photo.subarray(0, 10),
      );
      expect(answer.status).toBe(404);
    });

    it('"The Server SHOULD always attempt to store as much of the received data as possible": a PATCH cut off midway keeps what arrived', async () => {
      const path = await create(photo.length);
      const { hostname, port } = new URL(server.baseUrl);
      const socket = connect(Number(port), hostname);
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(
        `PATCH ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\nTus-Resumable: 1.0.0\r\n` +
          `Upload-Offset: 0\r\nContent-Type: ${OCTETS}\r\nContent-Length: ${photo.length}\r\n\r\n`,
      );
      socket.write(photo.subarray(0, 100_000));
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.destroy();
      await expect.poll(() => offsetOf(path), { timeout: 10_000, interval: 100 }).toBe('100000');
    });

    it('OPTIONS: "A successful response indicated by the 204 No Content or 200 OK status MUST contain the Tus-Version header", with Tus-Max-Size, and needs no credentials', async () => {
      const answer = await fetch(`${server.baseUrl}/api/uploads`, { method: 'OPTIONS' });
      expect(answer.status).toBe(204);
      expect(answer.headers.get('tus-version')).toBe('1.0.0');
      expect(Number(answer.headers.get('tus-max-size'))).toBe(10_000_000_000);
    });

    it('OPTIONS: "The Client SHOULD NOT include the Tus-Resumable header in the request and the Server MUST ignore the header"', async () => {
      const answer = await fetch(`${server.baseUrl}/api/uploads`, {
        method: 'OPTIONS',
        headers: { 'tus-resumable': '0.0.1' },
      });
      expect(answer.status).toBe(204);
    });

    it('"The X-HTTP-Method-Override request header MUST be a string which MUST be interpreted as the request\'s method by the Server"', async () => {
      const path = await create(photo.length);
      const asPatch = await send(
        'POST',
        path,
        { 'x-http-method-override': 'PATCH', 'upload-offset': '0', 'content-type': OCTETS },
        photo.subarray(0, 777),
      );
      expect(asPatch.status).toBe(204);
      expect(asPatch.headers.get('upload-offset')).toBe('777');
      const asHead = await send('POST', path, { 'x-http-method-override': 'HEAD' });
      expect(asHead.status).toBe(200);
      expect(asHead.headers.get('upload-offset')).toBe('777');
    });
  });

  describe('creation', () => {
    it('"The request MUST include one of the following headers: Upload-Length ... Upload-Defer-Length: 1"', async () => {
      const answer = await send('POST', '/api/uploads', {
        'upload-metadata': encodeMetadata({ filename: 'x.jpg' }),
      });
      expect(answer.status).toBe(400);
    });

    it('"The Server MUST acknowledge a successful upload creation with the 201 Created status. The Server MUST set the Location header"', async () => {
      const answer = await send('POST', '/api/uploads', { 'upload-length': String(photo.length) });
      expect(answer.status).toBe(201);
      expect(answer.headers.get('location')).toMatch(/^\/api\/uploads\/[^/]+$/);
    });

    it('"If the length of the upload exceeds the maximum, which MAY be specified using the Tus-Max-Size header, the Server MUST respond with the 413"', async () => {
      const answer = await send('POST', '/api/uploads', { 'upload-length': String(10_000_000_001) });
      expect(answer.status).toBe(413);
    });

    it('Upload-Metadata: "The value MAY be empty. In these cases, the space ... MAY be left out", and HEAD "MUST include the Upload-Metadata header and its value as specified by the Client"', async () => {
      const metadata = `filename ${Buffer.from(PHOTO).toString('base64')},is_confidential`;
      const created = await send('POST', '/api/uploads', {
        'upload-length': String(photo.length),
        'upload-metadata': metadata,
      });
      expect(created.status).toBe(201);
      const path = new URL(created.headers.get('location') ?? '', server.baseUrl).pathname;
      expect((await send('HEAD', path)).headers.get('upload-metadata')).toBe(metadata);
    });

    it('"Servers SHOULD carefully validate metadata values or sanitize them before using them": a file name keeps its last segment, without control characters', async () => {
      // A photo of its own: uploading one already there would answer with the existing asset.
      const other = await readCorpusFile('HTC One.jpg');
      const path = await create(other.length, { filename: '../../etc/\u0007passwd.jpg' });
      const answer = await patch(path, 0, other);
      const asset = await fetch(
        `${server.baseUrl}/api/assets/${answer.headers.get('shoebox-asset-id') ?? ''}`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      expect(((await asset.json()) as { filename: string }).filename).toBe('passwd.jpg');
    });
  });

  describe('creation-with-upload', () => {
    it('"The Server MUST include the Upload-Offset header in the response" to a creation that carries bytes', async () => {
      const answer = await send(
        'POST',
        '/api/uploads',
        { 'upload-length': String(photo.length), 'content-type': OCTETS },
        photo.subarray(0, 9000),
      );
      expect(answer.status).toBe(201);
      expect(answer.headers.get('upload-offset')).toBe('9000');
    });
  });

  describe('creation-defer-length', () => {
    it('"As long as the length of the upload is not known, the Server MUST set Upload-Defer-Length: 1 in all responses to HEAD requests"; "Once it is known the Client MUST set the Upload-Length header in the next PATCH request"', async () => {
      const path = await create('deferred');
      const head = await send('HEAD', path);
      expect(head.headers.get('upload-defer-length')).toBe('1');
      expect(head.headers.get('upload-length')).toBeNull();
      expect((await patch(path, 0, photo.subarray(0, 1000))).status).toBe(204);
      const last = await patch(path, 1000, photo.subarray(1000), { 'upload-length': String(photo.length) });
      expect(last.status).toBe(204);
      expect(last.headers.get('shoebox-upload-outcome')).toMatch(/created|duplicate/);
      expect((await send('HEAD', path)).headers.get('upload-length')).toBe(String(photo.length));
    });

    it('"Once set the length MUST NOT be changed"', async () => {
      const path = await create('deferred');
      expect(
        (await patch(path, 0, photo.subarray(0, 10), { 'upload-length': String(photo.length) })).status,
      ).toBe(204);
      expect((await patch(path, 10, photo.subarray(10, 20), { 'upload-length': '99' })).status).toBe(400);
    });
  });

  describe('expiration', () => {
    it('"If the expiration is known at the creation, the Upload-Expires header MUST be included in the response to the initial POST request"', async () => {
      const answer = await send('POST', '/api/uploads', { 'upload-length': String(photo.length) });
      expect(Date.parse(answer.headers.get('upload-expires') ?? '')).toBeGreaterThan(Date.now());
    });

    it('"This header MUST be included in every PATCH response if the upload is going to expire", as an HTTP-date', async () => {
      const path = await create(photo.length);
      const answer = await patch(path, 0, photo.subarray(0, 100));
      const expires = answer.headers.get('upload-expires') ?? '';
      expect(expires).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    });
    // "The latter one [410 Gone] SHOULD be used if the Server is keeping track of expired uploads":
    // uploads-expiry.test.ts.
  });

  describe('termination', () => {
    it('"the Server ... MUST respond with the 204 No Content status ... For all future requests to this URL, the Server SHOULD respond with the 404 Not Found or 410 Gone status"', async () => {
      const path = await create(photo.length);
      expect((await send('DELETE', path)).status).toBe(204);
      expect((await send('HEAD', path)).status).toBe(404);
      expect((await patch(path, 0, photo.subarray(0, 10))).status).toBe(404);
    });
  });

  describe('checksum', () => {
    const checksum = (algorithm: 'sha1' | 'sha256', bytes: Uint8Array): string =>
      `${algorithm} ${createHash(algorithm).update(bytes).digest('base64')}`;

    it('"The Server MUST support at least the SHA1 checksum algorithm", listed in Tus-Checksum-Algorithm on OPTIONS', async () => {
      const options = await fetch(`${server.baseUrl}/api/uploads`, { method: 'OPTIONS' });
      expect(options.headers.get('tus-extension')?.split(',')).toContain('checksum');
      expect(options.headers.get('tus-checksum-algorithm')?.split(',')).toEqual(['sha1', 'sha256']);
      for (const algorithm of ['sha1', 'sha256'] as const) {
        const path = await create(photo.length);
        const part = photo.subarray(0, 5000);
        const answer = await patch(path, 0, part, { 'upload-checksum': checksum(algorithm, part) });
        expect(answer.status).toBe(204);
        expect(answer.headers.get('upload-offset')).toBe('5000');
      }
    });

    it('"460 Checksum Mismatch if the checksums mismatch ... the chunk MUST be discarded and the Upload-Offset MUST not be updated"', async () => {
      const path = await create(photo.length);
      expect((await patch(path, 0, photo.subarray(0, 100))).status).toBe(204);
      const answer = await patch(path, 100, photo.subarray(100, 5000), {
        'upload-checksum': checksum('sha1', photo.subarray(101, 5001)),
      });
      expect(answer.status).toBe(460);
      expect(await offsetOf(path)).toBe('100');
    });

    it('"400 Bad Request if the checksum algorithm is not supported by the server"', async () => {
      const path = await create(photo.length);
      const answer = await patch(path, 0, photo.subarray(0, 100), { 'upload-checksum': 'md4 AAAA' });
      expect(answer.status).toBe(400);
      expect(await offsetOf(path)).toBe('0');
    });
  });
});
