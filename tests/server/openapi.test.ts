/**
 * The OpenAPI document (GET /api/openapi.json): every /api route declares its params,
 * querystring, body and answers; the document is valid OpenAPI 3.1; and a request made from the
 * document for each operation gets an answer that the document describes, on the real server.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import type { RouteOptions } from 'fastify';
import { sample } from 'openapi-sampler';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { API_REFERENCE_PREFIX, OPENAPI_PATH } from '../../src/server/openapi';
import {
  jobsIdle,
  readCorpusFile,
  sessionCookie,
  startServer,
  uploadCorpusFile,
  type TestServer,
} from './helpers';

type Json = Record<string, unknown>;

interface Operation {
  method: string;
  path: string;
  spec: {
    parameters?: { in: string; name: string; required?: boolean; example?: unknown; schema: Json }[];
    requestBody?: { content: Record<string, { schema: Json }> };
    responses: Record<string, { content?: Record<string, { schema: Json }>; headers?: Json }>;
    security?: unknown[];
  };
}

/** What earlier answers made known: the session, an asset, a video, a token, an upload. */
interface Known {
  cookie?: string;
  ids: Record<string, string>;
  uploadOffset?: string;
  /** A small JPEG, for the operations that take a file. */
  jpeg: Buffer;
  /** A `{z}/{x}/{y}` address of a tile server on this machine, for the map's tiles. */
  tiles?: string;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const isDocumentedApi = (url: string): boolean =>
  url.startsWith('/api/') && url !== API_REFERENCE_PREFIX && !url.startsWith(`${API_REFERENCE_PREFIX}/`);

/** `/api/assets/{id}` for `/api/assets/:id`. */
const openApiPath = (url: string): string => url.replace(/:([A-Za-z]+)/g, '{$1}');

describe('the OpenAPI document', () => {
  let server: TestServer;
  const routes: RouteOptions[] = [];
  let document: Json & { paths: Record<string, Record<string, Operation['spec']>> };

  beforeAll(async () => {
    server = await startServer({ app: { onRoute: (route) => void routes.push(route) } });
    const response = await fetch(`${server.baseUrl}${OPENAPI_PATH}`);
    expect(response.status).toBe(200);
    document = (await response.json()) as typeof document;
  });
  afterAll(async () => {
    await server.close();
  });

  it('has a schema for the params, querystring, body and answers of every /api route', () => {
    const api = routes.filter((route) => isDocumentedApi(route.url));
    expect(api.length).toBeGreaterThan(25);
    const missing: string[] = [];
    for (const route of api) {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        const name = `${method} ${route.url}`;
        const schema = route.schema;
        if (schema === undefined || schema.hide === true) {
          missing.push(`${name}: no schema`);
          continue;
        }
        const statuses = Object.keys(schema.response ?? {});
        if (!statuses.some((status) => /^[23]/.test(status))) missing.push(`${name}: no successful answer`);
        if (schema.querystring === undefined) missing.push(`${name}: no querystring`);
        if (BODY_METHODS.has(method) && schema.body === undefined) missing.push(`${name}: no body`);
        const params = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1] ?? '');
        const declared = (schema.params ?? {}) as { required?: string[] };
        for (const param of params) {
          if (declared.required?.includes(param) !== true) missing.push(`${name}: no schema for :${param}`);
        }
        const path = document.paths[openApiPath(route.url)];
        // fastify adds a HEAD to every GET; the document shows the GET.
        const shown = path?.[method.toLowerCase()] ?? (method === 'HEAD' ? path?.get : undefined);
        if (shown === undefined) missing.push(`${name}: not in the document`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('serves a readable reference from the app itself', async () => {
    const page = await fetch(`${server.baseUrl}${API_REFERENCE_PREFIX}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    // Every script comes from this server (no CDN), and is there.
    for (const script of scripts) {
      expect(script).not.toMatch(/^(https?:)?\/\//);
      const asset = await fetch(new URL(script, `${server.baseUrl}${API_REFERENCE_PREFIX}/`));
      expect(asset.status, script).toBe(200);
    }
  });

  it('describes the answer to a request made from it for every operation', async () => {
    const operations: Operation[] = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, spec]) => ({ method: method.toUpperCase(), path, spec })),
    );
    // An order a person would follow: create the account first, sign out and empty the trash last,
    // and read things before deleting them.
    const script = [
      'POST /api/setup',
      'POST /api/auth/login',
      'POST /api/tokens',
      'PUT /api/map/settings',
      'POST /api/uploads',
      'HEAD /api/uploads/{uploadId}',
      'POST /api/uploads/{uploadId}',
      'PATCH /api/uploads/{uploadId}',
      'DELETE /api/uploads/{uploadId}',
      // An album with the photo and the video, shared with a second account, and a link to it.
      'POST /api/users',
      'POST /api/albums',
      'POST /api/albums/{id}/members',
      'POST /api/links',
      'DELETE /api/assets/{id}',
      'POST /api/assets/{id}/restore',
      'POST /api/albums/{id}/assets/remove',
      'DELETE /api/albums/{id}/members/{userId}',
      'DELETE /api/links/{id}',
      'DELETE /api/albums/{id}',
      'DELETE /api/tokens/{id}',
      'DELETE /api/trash',
      // Ends the walk's session too: it signs in again (below) for the one after.
      'POST /api/auth/logout-everywhere',
      'POST /api/auth/logout',
    ];
    const rank = (operation: Operation): number => {
      const at = script.indexOf(`${operation.method} ${operation.path}`);
      if (at === -1) return script.indexOf('DELETE /api/assets/{id}') - 0.5;
      return at;
    };
    operations.sort((a, b) => rank(a) - rank(b));

    const png = await readCorpusFile('Issue 280 (dotnet).png');
    const tileServer = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png' }).end(png);
    });
    await new Promise<void>((resolve) => tileServer.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => tileServer.close(() => resolve())));
    const { port } = tileServer.address() as AddressInfo;
    const known: Known = {
      ids: {},
      jpeg: await readCorpusFile('Canon_40D.jpg'),
      tiles: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`,
    };
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    for (const [name, schema] of Object.entries((document.components as Json).schemas as Json)) {
      ajv.addSchema(withLocalRefs(schema) as Json, name);
    }
    const validators = new Map<Json, ValidateFunction>();
    const validatorFor = (schema: Json): ValidateFunction => {
      let validate = validators.get(schema);
      if (validate === undefined) {
        validate = ajv.compile(withLocalRefs(schema) as Json);
        validators.set(schema, validate);
      }
      return validate;
    };

    const failures: string[] = [];
    const answered: string[] = [];
    for (const operation of operations) {
      const name = `${operation.method} ${operation.path}`;
      if (needsAssets(operation.path) && known.ids.asset === undefined) await prepareAssets(known);
      const request = requestFor(operation, known);
      const response = await fetch(`${server.baseUrl}${request.url}`, request.init);
      const text =
        operation.method === 'HEAD' ? '' : Buffer.from(await response.arrayBuffer()).toString('latin1');
      answered.push(`${name} → ${response.status}`);
      learn(operation, response, text, known);
      if (name === 'POST /api/auth/logout-everywhere' && response.status === 204) {
        const login = operations.find((each) => `${each.method} ${each.path}` === 'POST /api/auth/login');
        if (login === undefined) throw new Error('The document has no POST /api/auth/login.');
        const again = requestFor(login, { ...known, cookie: undefined });
        known.cookie = sessionCookie((await fetch(`${server.baseUrl}${again.url}`, again.init)).headers);
      }

      const status = String(response.status);
      const documented = operation.spec.responses[status] ?? operation.spec.responses[`${status[0]}XX`];
      if (documented === undefined) {
        failures.push(`${name}: ${status} is not documented`);
        continue;
      }
      if (response.status >= 300 && response.status !== 304) {
        failures.push(`${name}: ${status} ${text}`);
        continue;
      }
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0] ?? '';
      const content = documented.content;
      if (content === undefined) {
        if (text !== '') failures.push(`${name}: documented without a body, answered ${text.slice(0, 80)}`);
        continue;
      }
      const media = content[contentType] ?? content['*/*'];
      if (media === undefined) {
        failures.push(`${name}: answered ${contentType}, documented ${Object.keys(content).join(', ')}`);
        continue;
      }
      if (contentType === 'application/json') {
        const validate = validatorFor(media.schema);
        if (!validate(JSON.parse(text))) {
          failures.push(`${name}: ${ajv.errorsText(validate.errors)} in ${text.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(answered).toHaveLength(operations.length);

    async function prepareAssets(state: Known): Promise<void> {
      const auth = { cookie: state.cookie ?? '' };
      const photo = await uploadCorpusFile(server.baseUrl, auth, 'Canon_40D.jpg');
      const video = await uploadCorpusFile(server.baseUrl, auth, 'with-gps.mp4');
      if (!photo.ok || !video.ok) throw new Error('The assets for the requests could not be uploaded.');
      state.ids.asset = photo.assetId;
      state.ids.video = video.assetId;
      // The thumbnail route answers 404 THUMB_PENDING until the thumbnails exist.
      await jobsIdle(server);
    }
  });
});

/** Operations whose path or body names an asset, or an album or link made of them. */
function needsAssets(path: string): boolean {
  return (
    (path.includes('{id}') && path.startsWith('/api/assets')) ||
    ['/api/albums', '/api/links', '/api/s/'].some((prefix) => path.startsWith(prefix))
  );
}

/** `#/components/schemas/User` → `User`, the name each component is added to Ajv under. */
function withLocalRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withLocalRefs);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) =>
      key === '$ref' && typeof value === 'string'
        ? [key, value.replace('#/components/schemas/', '')]
        : [key, withLocalRefs(value)],
    ),
  );
}

interface MadeRequest {
  url: string;
  init: RequestInit;
}

/**
 * A request from the document: path parameters from what earlier answers made known, header
 * parameters from their examples, a JSON body sampled from its schema (examples first), and a
 * binary body of real bytes where the operation takes a file.
 */
function requestFor(operation: Operation, known: Known): MadeRequest {
  const headers: Record<string, string> = {};
  if (known.cookie !== undefined) headers.cookie = known.cookie;
  let path = operation.path;
  const query = new URLSearchParams();
  for (const parameter of operation.spec.parameters ?? []) {
    if (parameter.in === 'query' && parameter.required === true && typeof parameter.example === 'string') {
      query.set(parameter.name, parameter.example);
    } else if (parameter.in === 'path') {
      // A path parameter that is not an id (a year) says what to send by its example.
      const value =
        typeof parameter.example === 'string' ? parameter.example : idFor(operation, parameter.name, known);
      path = path.replace(`{${parameter.name}}`, encodeURIComponent(value));
    } else if (parameter.in === 'header' && typeof parameter.example === 'string') {
      headers[parameter.name] = parameter.example;
    }
  }
  if (operation.method === 'PATCH' && known.uploadOffset !== undefined) {
    headers['upload-offset'] = known.uploadOffset;
  }
  if (query.size > 0) path = `${path}?${query.toString()}`;
  const body = operation.spec.requestBody?.content;
  if (body === undefined) return { url: path, init: { method: operation.method, headers } };
  const [type, media] = Object.entries(body)[0] ?? [];
  if (type === 'application/json' && media !== undefined) {
    headers['content-type'] = type;
    const value =
      `${operation.method} ${operation.path}` === 'PUT /api/map/settings'
        ? { address: known.tiles }
        : withKnownIds(operation, sample(media.schema, { skipNonRequired: true }), known);
    return { url: path, init: { method: operation.method, headers, body: JSON.stringify(value) } };
  }
  if (type === undefined) throw new Error(`${operation.path} documents an empty request body.`);
  headers['content-type'] = type;
  return { url: path, init: { method: operation.method, headers, body: binaryBodyFor(type, known.jpeg) } };
}

/** A file the operation takes: a JPEG for an image, the first byte of a JPEG for tus. */
function binaryBodyFor(type: string, jpeg: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(type.startsWith('image/') ? jpeg : jpeg.subarray(0, 1));
}

/**
 * A sampled JSON body with the ids it names replaced by ones earlier answers made known: the
 * photo for asset ids, the album, the second account; a new album holds the photo and the video.
 */
function withKnownIds(operation: Operation, value: unknown, known: Known): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const body: Record<string, unknown> = { ...value };
  const { asset, video, album, user } = known.ids;
  if ('ids' in body || 'assetIds' in body) {
    if ('ids' in body) body.ids = [asset];
    else body.assetIds = [asset];
  }
  if ('coverAssetId' in body) body.coverAssetId = asset;
  if ('userId' in body) body.userId = user;
  if ('albumId' in body) body.albumId = album;
  // What a person would send where the schema asks for one change at least, or one of two.
  const fill: Record<string, Record<string, unknown>> = {
    'POST /api/albums': { assetIds: [asset, video] },
    'POST /api/links': { albumId: album },
    'PATCH /api/assets': { favorite: true },
    'PATCH /api/albums/{id}': { name: 'Summer' },
    'PATCH /api/albums/{id}/members/{userId}': { role: 'contributor' },
    'PATCH /api/links/{id}': { showPlace: false },
    'PATCH /api/users/{id}': { quotaBytes: 10 * 1024 ** 3 },
  };
  return { ...body, ...fill[`${operation.method} ${operation.path}`] };
}

function idFor(operation: Operation, name: string, known: { ids: Record<string, string> }): string {
  const { path } = operation;
  if (path.startsWith('/api/map/tiles/')) return '0';
  const id =
    name === 'uploadId'
      ? known.ids.upload
      : name === 'key'
        ? known.ids.linkKey
        : name === 'userId' || path.startsWith('/api/users/')
          ? known.ids.user
          : path.startsWith('/api/tokens')
            ? known.ids.token
            : path.startsWith('/api/albums')
              ? known.ids.album
              : path.startsWith('/api/links')
                ? known.ids.link
                : path.endsWith('/poster') || (path.startsWith('/api/s/') && path.endsWith('/original'))
                  ? known.ids.video
                  : known.ids.asset;
  if (id === undefined) throw new Error(`Nothing is known yet for {${name}} of ${operation.path}.`);
  return id;
}

/** Keeps what a later request needs from an answer. */
function learn(operation: Operation, response: Response, text: string, known: Known): void {
  const name = `${operation.method} ${operation.path}`;
  if (name === 'POST /api/setup' && response.status === 201) known.cookie = sessionCookie(response.headers);
  if (name === 'POST /api/tokens' && response.status === 201) {
    known.ids.token = (JSON.parse(text) as { id: string }).id;
  }
  if (response.status === 201 && ['POST /api/users', 'POST /api/albums', 'POST /api/links'].includes(name)) {
    const created = JSON.parse(text) as { id: string; key?: string };
    const kind = name === 'POST /api/users' ? 'user' : name === 'POST /api/albums' ? 'album' : 'link';
    known.ids[kind] = created.id;
    if (created.key !== undefined) known.ids.linkKey = created.key;
  }
  if (name === 'POST /api/uploads' && response.status === 201) {
    known.ids.upload = (response.headers.get('location') ?? '').split('/').at(-1) ?? '';
    known.uploadOffset = response.headers.get('upload-offset') ?? '0';
  }
}
