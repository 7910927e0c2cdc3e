import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Routed {
  method: string;
  url: string;
  backend: number;
  /** Bytes of the request's body passed on so far. */
  bytes: number;
  /** Whether the backend's answer has been passed back whole. */
  done: boolean;
}

export interface RoundRobin {
  url: string;
  /** Every request passed on, in order, with the backend it went to. */
  routed: Routed[];
  close(): Promise<void>;
}

/**
 * A small proxy doing round robin over `ports`, one request each in turn, as a load balancer
 * without sticky sessions does; a backend that refuses the connection (killed, or not started
 * again yet) is passed over for the next one. Requests take turns among those of the same
 * `turnsOf(url)`, by default all of them: naming each upload's URL makes every request of an
 * upload go to the other backend than the one before, whatever else the client sends meanwhile.
 */
export async function roundRobin(
  ports: number[],
  turnsOf: (url: string) => string = () => '',
): Promise<RoundRobin> {
  const routed: Routed[] = [];
  const turns = new Map<string, number>();
  const proxy = http.createServer((request, response) => {
    const key = turnsOf(request.url ?? '');
    const turn = turns.get(key) ?? 0;
    turns.set(key, turn + 1);
    const forward = (attempt: number): void => {
      if (attempt >= ports.length) {
        response.writeHead(502).end();
        return;
      }
      const backend = (turn + attempt) % ports.length;
      let entry: Routed | null = null;
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: ports[backend],
          method: request.method,
          path: request.url,
          headers: request.headers,
          // A connection per request, so that the body goes on only once one is made: a refused
          // one leaves it unread for the next backend.
          agent: false,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          answer.once('end', () => {
            if (entry !== null) entry.done = true;
          });
          // The backend reset the connection mid-answer (refusing a body it will not read, or
          // killed): the client sees its connection cut.
          answer.once('error', () => response.destroy());
        },
      );
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNREFUSED') {
          forward(attempt + 1);
          return;
        }
        // The backend died during the request: the client sees its connection cut, as behind
        // a real proxy, and resumes.
        response.destroy();
      });
      upstream.once('socket', (socket) => {
        socket.once('connect', () => {
          const passed: Routed = {
            method: request.method ?? '',
            url: request.url ?? '',
            backend,
            bytes: 0,
            done: false,
          };
          entry = passed;
          routed.push(passed);
          request.on('data', (chunk: Buffer) => (passed.bytes += chunk.length));
          request.pipe(upstream);
        });
      });
    };
    forward(0);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routed,
    close: () =>
      new Promise((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
