import Fastify from 'fastify';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { registerBodyRate } from './slow-bodies';

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe('registerBodyRate', () => {
  it('leaves an injected request alone, however long its body takes', async () => {
    const app = Fastify();
    apps.push(app);
    registerBodyRate(app, { windowMs: 5, minBytes: 1024 });
    app.addContentTypeParser('application/octet-stream', (_request, payload, done) => {
      const chunks: Buffer[] = [];
      payload.on('data', (chunk: Buffer) => chunks.push(chunk));
      payload.on('end', () => done(null, Buffer.concat(chunks)));
    });
    app.post('/echo', (request) => ({ bytes: (request.body as Buffer).length }));
    // A body that arrives over several of the rate's windows, as a slow seed or a busy machine
    // would bring it: an injected socket has no bytesRead to judge it by.
    const body = new Readable({ read() {} });
    setTimeout(() => body.push(Buffer.alloc(10)), 30);
    setTimeout(() => body.push(null), 60);
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/octet-stream', 'content-length': '10' },
      payload: body,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ bytes: 10 });
  });
});
