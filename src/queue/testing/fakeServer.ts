/**
 * An in-memory stand-in for Shoebox's API and tus endpoint, as a `fetch` function, for unit tests
 * of the drain and the tus client. It follows the tus 1.0 core and creation extension closely
 * enough that tus-js-client cannot tell the difference.
 */
import type { AlbumAssetsRequest, AlbumAssetsResponse } from '../../shared/albums';
import type { CheckRequest, CheckResponse, ConfigResponse } from '../../shared/api';
import { ERRORS, errorBody } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { ASSET_ID_HEADER, TUS_ENDPOINT, UPLOAD_OUTCOME_HEADER } from '../../shared/tus';

export const ORIGIN = 'http://shoebox.test';

export interface RecordedRequest {
  method: string;
  path: string;
  bytes: number;
}

interface PendingUpload {
  length: number;
  metadata: Record<string, string>;
  chunks: Uint8Array[];
  offset: number;
}

type Fault = { status: number; code?: ErrorCode; headers?: Record<string, string> } | 'network';

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function decodeMetadata(header: string | null): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of (header ?? '').split(',')) {
    const [key, value = ''] = pair.trim().split(' ');
    if (key !== undefined && key !== '') {
      metadata[key] = new TextDecoder().decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)));
    }
  }
  return metadata;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function fail(fault: Exclude<Fault, 'network'>): Response {
  const code =
    fault.code ??
    (fault.status === 401 ? 'UNAUTHENTICATED' : fault.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
  return json(fault.status, errorBody(code), fault.headers);
}

export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  /** Assets by sourceSha256. */
  readonly assets = new Map<string, { id: string; sha256: string; filename: string; bytes: number }>();
  readonly uploads = new Map<string, PendingUpload>();
  /** Poster frames received, by asset id: their Content-Type and size. */
  readonly posters = new Map<string, { type: string; bytes: number }>();
  /** Albums by id, with the asset ids put in each (tus metadata `albumId`, POST …/assets). */
  readonly albums = new Map<string, string[]>();
  signedIn = true;
  /** The signed-in user's id (GET /api/me). */
  userId = 'u1';
  limits = DEFAULT_LIMITS;
  /** Faults to answer with, by "METHOD path-prefix", each used once. */
  private readonly faults: { match: string; fault: Fault }[] = [];
  private nextId = 1;

  /** The next request whose "METHOD /path" starts with `match` gets `fault` instead of an answer. */
  failNext(match: string, fault: Fault): void {
    this.faults.push({ match, fault });
  }

  /** Bytes of uploads received: PATCH bodies, and bodies sent with a creation (creation-with-upload). */
  get bytesReceived(): number {
    return this.requests
      .filter((r) => r.method === 'PATCH' || (r.method === 'POST' && r.path === TUS_ENDPOINT))
      .reduce((sum, r) => sum + r.bytes, 0);
  }

  readonly fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input, ORIGIN);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    const body = init.body instanceof Blob ? new Uint8Array(await init.body.arrayBuffer()) : null;
    if (init.signal?.aborted === true) throw new DOMException('The operation was aborted.', 'AbortError');
    this.requests.push({ method, path: url.pathname, bytes: body?.byteLength ?? 0 });

    const key = `${method} ${url.pathname}`;
    const faultAt = this.faults.findIndex((f) => key.startsWith(f.match));
    const [entry] = faultAt >= 0 ? this.faults.splice(faultAt, 1) : [];
    if (entry !== undefined) {
      if (entry.fault === 'network') throw new TypeError('Failed to fetch');
      return fail(entry.fault);
    }

    if (key === 'GET /api/config') {
      const config: ConfigResponse = {
        limits: this.limits,
        setupRequired: false,
        tus: { endpoint: TUS_ENDPOINT, maxChunkBytes: 64 * 1024 * 1024 },
      };
      return json(200, config);
    }
    if (!this.signedIn) return fail({ status: 401 });
    if (key === 'GET /api/me') {
      return json(200, {
        id: this.userId,
        email: `${this.userId}@example.com`,
        name: this.userId,
        role: 'owner',
        createdAt: '2020-01-01T00:00:00.000Z',
        quotaBytes: null,
      });
    }
    if (key === 'POST /api/assets/check') {
      const request = JSON.parse(typeof init.body === 'string' ? init.body : '{}') as CheckRequest;
      const existing: CheckResponse['existing'] = request.sourceSha256.flatMap((hash) => {
        const asset = this.assets.get(hash);
        return asset ? [{ sourceSha256: hash, id: asset.id }] : [];
      });
      return json(200, { existing } satisfies CheckResponse);
    }
    const album = /^\/api\/albums\/([^/]+)\/assets$/.exec(url.pathname);
    if (method === 'POST' && album !== null) {
      const ids = this.albums.get(decodeURIComponent(album[1] ?? ''));
      if (ids === undefined) return fail({ status: 404, code: 'ALBUM_NOT_FOUND' });
      const request = JSON.parse(typeof init.body === 'string' ? init.body : '{}') as AlbumAssetsRequest;
      ids.push(...request.ids);
      return json(200, { ids: request.ids } satisfies AlbumAssetsResponse);
    }
    const poster = /^\/api\/assets\/([^/]+)\/poster$/.exec(url.pathname);
    if (method === 'POST' && poster !== null) {
      const id = decodeURIComponent(poster[1] ?? '');
      if (![...this.assets.values()].some((asset) => asset.id === id))
        return fail({ status: 404, code: 'ASSET_NOT_FOUND' });
      this.posters.set(id, { type: headers.get('Content-Type') ?? '', bytes: body?.byteLength ?? 0 });
      return json(200, { id });
    }
    if (method === 'POST' && url.pathname === TUS_ENDPOINT) return this.create(headers, body);
    if (url.pathname.startsWith(`${TUS_ENDPOINT}/`)) {
      const upload = this.uploads.get(url.pathname);
      if (upload === undefined) return fail({ status: 404, code: 'NOT_FOUND' });
      if (method === 'HEAD') {
        return new Response(null, {
          status: 200,
          headers: { 'Upload-Offset': String(upload.offset), 'Upload-Length': String(upload.length) },
        });
      }
      if (method === 'PATCH') return this.patch(url.pathname, upload, headers, body ?? new Uint8Array());
    }
    return fail({ status: 404, code: 'NOT_FOUND' });
  };

  /**
   * Creates an upload; a body sent along (creation-with-upload) is written as a PATCH at offset 0
   * would be, and the answer is the 201 with the PATCH's offset and, when complete, its asset.
   */
  private async create(headers: Headers, body: Uint8Array | null): Promise<Response> {
    const path = `${TUS_ENDPOINT}/${this.nextId++}`;
    const upload: PendingUpload = {
      length: Number(headers.get('Upload-Length')),
      metadata: decodeMetadata(headers.get('Upload-Metadata')),
      chunks: [],
      offset: 0,
    };
    this.uploads.set(path, upload);
    const created = { status: 201, headers: new Headers({ Location: `${ORIGIN}${path}` }) };
    if (body === null) return new Response(null, created);
    const written = await this.patch(path, upload, new Headers({ 'Upload-Offset': '0' }), body);
    if (!written.ok) return written;
    written.headers.forEach((value, name) => created.headers.set(name, value));
    return new Response(null, created);
  }

  private async patch(
    path: string,
    upload: PendingUpload,
    headers: Headers,
    body: Uint8Array,
  ): Promise<Response> {
    // "If the offsets do not match, the Server MUST respond with the 409 Conflict status".
    if (Number(headers.get('Upload-Offset')) !== upload.offset) return fail({ status: 409 });
    upload.chunks.push(body);
    upload.offset += body.byteLength;
    if (upload.offset < upload.length) {
      return new Response(null, { status: 204, headers: { 'Upload-Offset': String(upload.offset) } });
    }
    const bytes = new Uint8Array(upload.length);
    let at = 0;
    for (const chunk of upload.chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    this.uploads.delete(path);
    const sha256 = await sha256Hex(bytes);
    if (sha256 !== upload.metadata.sha256) {
      return json(ERRORS.CHECKSUM_MISMATCH.status, errorBody('CHECKSUM_MISMATCH'));
    }
    const source = upload.metadata.sourceSha256 ?? '';
    const existing = this.assets.get(source);
    const asset = existing ?? {
      id: `asset-${this.nextId++}`,
      sha256,
      filename: upload.metadata.filename ?? '',
      bytes: upload.length,
    };
    this.assets.set(source, asset);
    this.albums.get(upload.metadata.albumId ?? '')?.push(asset.id);
    return new Response(null, {
      status: 204,
      headers: {
        'Upload-Offset': String(upload.offset),
        [ASSET_ID_HEADER]: asset.id,
        [UPLOAD_OUTCOME_HEADER]: existing ? 'duplicate' : 'created',
      },
    });
  }
}
