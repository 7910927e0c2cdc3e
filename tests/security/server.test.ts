/**
 * Issue 18, the abuse suite against the server itself: slow bodies, pixel and decompression
 * bombs, weak passwords. Loopback only; every loop bounded in count and time.
 */
import { connect, type Socket } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset, User } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import { TUS_ENDPOINT } from '../../src/shared/tus';
import {
  api,
  createOwner,
  encodeMetadata,
  jobsIdle,
  listFiles,
  sha256Hex,
  startServer,
  tusUpload,
  type Account,
  type TestServer,
} from '../server/helpers';
import { record, tally } from '../support/probe-table';

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** An RGB PNG declaring `width` × `height`, its rows all zeros: `rows` of them actually present. */
function png(width: number, height: number, rows: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  const raw = Buffer.alloc(rows * (1 + width * 3));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

let server: TestServer;
let owner: Account;
const WINDOW_MS = 2_000;

beforeAll(async () => {
  server = await startServer({ app: { bodyRate: { windowMs: WINDOW_MS, minBytes: 1024 } } });
  owner = await createOwner(server.baseUrl, { password: 'a strong owner password' });
});
afterAll(async () => {
  await server.close();
});

describe('slow bodies', () => {
  it('cuts every connection that trickles its body, and keeps answering everyone else', async () => {
    const count = 200;
    const url = new URL(server.baseUrl);
    const sockets: Socket[] = [];
    const closedAt: number[] = [];
    const started = Date.now();
    const bytes = await Promise.resolve(Buffer.from('x'));
    for (let i = 0; i < count; i += 1) {
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => socket.destroy());
      socket.once('close', () => closedAt.push(Date.now() - started));
      const path = i % 2 === 0 ? '/api/auth/login' : TUS_ENDPOINT;
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
          `Tus-Resumable: 1.0.0\r\nUpload-Length: 100000\r\nCookie: ${owner.auth.cookie}\r\n` +
          `Origin: ${server.baseUrl}\r\nContent-Length: 100000\r\n\r\n`,
      );
      sockets.push(socket);
    }
    // A byte every half second from each: 4 bytes a window, where 1,024 are asked for.
    const trickle = setInterval(() => {
      for (const socket of sockets) if (!socket.destroyed) socket.write(bytes);
    }, 500);
    try {
      const meanwhile = await api(server.baseUrl, 'GET', '/api/me', { auth: owner.auth });
      const deadline = Date.now() + 5 * WINDOW_MS;
      while (closedAt.length < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const latest = Math.max(...closedAt);
      record({
        area: 'slow bodies',
        did: `${count} bodies trickling a byte per 500 ms (window ${WINDOW_MS} ms, 1 KiB asked)`,
        saw: `closed ${closedAt.length}/${count}, the last after ${latest} ms; others answered: ${meanwhile.status}`,
        ok: closedAt.length === count && meanwhile.status === 200,
      });
      expect(closedAt.length).toBe(count);
      expect(latest).toBeLessThan(5 * WINDOW_MS);
      expect(meanwhile.status).toBe(200);
    } finally {
      clearInterval(trickle);
      for (const socket of sockets) socket.destroy();
    }
  });

  it('lets a slow but steady body through', async () => {
    // 2 KiB every 500 ms: 8 KiB a window, over three windows.
    const bytes = Buffer.alloc(24 * 1024, 7);
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const sent = (this as unknown as { sent?: number }).sent ?? 0;
        if (sent >= bytes.length) {
          controller.close();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
        controller.enqueue(new Uint8Array(bytes.subarray(sent, sent + 2048)));
        (this as unknown as { sent?: number }).sent = sent + 2048;
      },
    });
    const created = await fetch(`${server.baseUrl}${TUS_ENDPOINT}`, {
      method: 'POST',
      headers: {
        cookie: owner.auth.cookie,
        origin: server.baseUrl,
        'tus-resumable': '1.0.0',
        'upload-length': String(bytes.length),
        'upload-metadata': encodeMetadata({
          filename: 'slow.jpg',
          type: 'image/jpeg',
          sha256: sha256Hex(bytes),
          sourceSha256: sha256Hex(bytes),
        }),
        'content-type': 'application/offset+octet-stream',
      },
      body: stream,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    // The bytes are not a photo: a refusal that only the whole body can bring.
    const code = ((await created.json()) as ApiErrorBody).error.code;
    record({
      area: 'slow bodies',
      did: 'one body at 4 KiB/s for 6 s (three windows)',
      saw: `received whole, then answered ${created.status} ${code}`,
      ok: created.status === 415,
    });
    expect(`${created.status} ${code}`).toBe('415 UNSUPPORTED_TYPE');
  });
});

describe('pixel and decompression bombs', () => {
  it('refuses headers beyond the pixel limit, however small the file, and stores nothing', async () => {
    const cases = [
      { name: 'header 50,000 × 50,000 (2.5 GP), 1 row', bytes: png(50_000, 50_000, 1) },
      { name: 'header 20,000 × 20,000 (400 MP), 1 row', bytes: png(20_000, 20_000, 1) },
      { name: 'header 10,001 × 10,000 (100.01 MP), 8 rows', bytes: png(10_001, 10_000, 8) },
      { name: 'zeros 12,000 × 12,000 (144 MP, 1.3 MB deflated)', bytes: png(12_000, 12_000, 12_000) },
    ];
    const seen: string[] = [];
    for (const { name, bytes } of cases) {
      const result = await tusUpload(server.baseUrl, owner.auth, {
        bytes,
        filename: 'bomb.png',
        type: 'image/png',
        sourceSha256: sha256Hex(Buffer.concat([bytes, Buffer.from(name)])),
      });
      seen.push(result.ok ? `${name}: stored` : `${name}: ${result.status} ${result.error.error.code}`);
    }
    await jobsIdle(server);
    const library = await api<{ items: Asset[] }>(server.baseUrl, 'GET', '/api/assets', { auth: owner.auth });
    const blobs = await listFiles(`${server.dataDir}/blobs`);
    const refused = seen.filter((line) => line.endsWith('413 TOO_LARGE')).length;
    record({
      area: 'pixel bombs',
      did: `${cases.length} PNGs of 68 B to 1.3 MB declaring 100–2,500 MP`,
      saw: `${tally(seen.map((line) => line.split(': ')[1] ?? ''))}; stored: ${library.body.items.length}`,
      ok: refused === cases.length && library.body.items.length === 0 && blobs.length === 0,
    });
    expect(
      seen.every((line) => line.endsWith('413 TOO_LARGE')),
      seen.join('\n'),
    ).toBe(true);
    expect(library.body.items).toEqual([]);
    expect(blobs).toEqual([]);
  });

  it('stores a photo just under the limit whose pixels are a deflate bomb, and previews it without failing', async () => {
    // 8,000 × 8,000 zeros: 192 MB of pixels from a 190 KB file.
    const bytes = png(8_000, 8_000, 8_000);
    const result = await tusUpload(server.baseUrl, owner.auth, {
      bytes,
      filename: 'zeros.png',
      type: 'image/png',
    });
    expect(result.ok).toBe(true);
    await jobsIdle(server);
    const listed = await api<{ items: Asset[] }>(server.baseUrl, 'GET', '/api/assets', { auth: owner.auth });
    const asset = listed.body.items[0];
    const health = await api(server.baseUrl, 'GET', '/api/health');
    record({
      area: 'decompression bomb',
      did: `a ${Math.round(bytes.length / 1024)} KB PNG of 64 MP zeros (192 MB decoded)`,
      saw: `stored ${asset?.width ?? '?'} × ${asset?.height ?? '?'}, preview ${asset?.thumb.state ?? '?'}, server up: ${health.status}`,
      ok: result.ok && asset?.width === 8000 && asset.thumb.state !== 'pending' && health.status === 200,
    });
    expect(asset?.width).toBe(8000);
    expect(asset?.thumb.state).not.toBe('pending');
    expect(health.status).toBe(200);
  });
});

describe('weak passwords', () => {
  it('refuses them for new accounts with a sentence, and takes a strong one', async () => {
    const weak = ['password', '        ', 'Password1', 'qwertyuiop', 'shoebox123', 'member@example.com'];
    const seen: string[] = [];
    for (const password of weak) {
      const response = await api<ApiErrorBody>(server.baseUrl, 'POST', '/api/users', {
        auth: owner.auth,
        headers: { origin: server.baseUrl },
        body: { email: 'member@example.com', name: 'Member', password },
      });
      seen.push(`${response.status} ${response.body?.error.code ?? 'no body'}`);
      expect(response.body?.error.message, `${password}: ${response.status}`).toMatch(
        /^Choose a stronger password\./,
      );
    }
    const strong = await api<User>(server.baseUrl, 'POST', '/api/users', {
      auth: owner.auth,
      headers: { origin: server.baseUrl },
      body: { email: 'member@example.com', name: 'Member', password: 'tangerine kayak meadow' },
    });
    record({
      area: 'weak passwords',
      did: `${weak.length} weak passwords for a new account, then a strong one`,
      saw: `${tally(seen)}; strong: ${strong.status}`,
      ok: seen.every((line) => line === '400 WEAK_PASSWORD') && strong.status === 201,
    });
    expect(seen.every((line) => line === '400 WEAK_PASSWORD')).toBe(true);
    expect(strong.status).toBe(201);
  });
});
