import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startServer } from './helpers';

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
});
