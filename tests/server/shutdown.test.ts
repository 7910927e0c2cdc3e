import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { TUS_ENDPOINT } from '../../src/shared/tus';
import { authHeaders, createOwner, encodeMetadata, startServer } from './helpers';

/** Resolves with everything `socket` receives up to the end of the first HTTP response head. */
function responseHead(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const onData = (chunk: Buffer): void => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(received);
      }
    };
    socket.on('data', onData);
  });
}

describe('closing the server', () => {
  it('does not wait for a connection that never sent a request (a browser’s preconnect)', async () => {
    const server = await startServer();
    const socket = net.connect(Number(new URL(server.baseUrl).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const started = Date.now();
    await server.close();
    await closed;
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('lets a request under way finish, then ends its keep-alive connection instead of waiting for the client', async () => {
    const server = await startServer({ app: { startJobs: false } });
    const owner = await createOwner(server.baseUrl);
    const created = await fetch(`${server.baseUrl}${TUS_ENDPOINT}`, {
      method: 'POST',
      headers: {
        ...authHeaders(owner.auth),
        'tus-resumable': '1.0.0',
        'upload-length': '2000',
        'upload-metadata': encodeMetadata({ filename: 'big.jpg', type: 'image/jpeg' }),
      },
    });
    const location = created.headers.get('location') ?? '';
    expect(created.status).toBe(201);

    // A client on a keep-alive connection, half way through sending a chunk when closing begins:
    // Node's one pass over idle connections at close() skips it, since its request is under way.
    const socket = net.connect(Number(new URL(server.baseUrl).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const socketErrors: Error[] = [];
    socket.on('error', (error) => socketErrors.push(error));
    const underWay = new Promise<void>((resolve) => server.app.server.once('request', () => resolve()));
    socket.write(
      `PATCH ${new URL(location, server.baseUrl).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Cookie: ${owner.auth.cookie}\r\n` +
        'Connection: keep-alive\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n' +
        'Content-Type: application/offset+octet-stream\r\nContent-Length: 1000\r\n\r\n',
    );
    socket.write(Buffer.alloc(500));
    const head = responseHead(socket);
    const serverEnded = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    await underWay;
    const closing = server.close();
    socket.write(Buffer.alloc(500));

    expect((await head).split('\r\n')[0]).toBe('HTTP/1.1 204 No Content');
    // The client keeps its connection open; the server ends it once the answer is out. Without
    // that, close() waited for the keep-alive timeout (72 s), past any test's hook timeout.
    await serverEnded;
    await closing;
    expect(socketErrors).toEqual([]);
    socket.destroy();
  });
});
