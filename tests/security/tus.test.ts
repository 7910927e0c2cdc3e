/**
 * Issue 18, the abuse suite on the upload endpoint: well over 1,000 malformed tus requests,
 * generated from a seeded random source (the same ones every run), as a member holding a valid
 * session. None may answer 5xx, crash the server, store an asset, or touch another user's upload.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createMember, createOwner, startServer, type TestServer } from '../server/helpers';
import { probeMalformedTus, tusTarget, type TusTarget } from './tus-requests';

const REQUESTS = 1_200;

let server: TestServer;
let target: TusTarget;

beforeAll(async () => {
  server = await startServer();
  const owner = await createOwner(server.baseUrl, { password: 'a strong owner password' });
  target = await tusTarget(server.baseUrl, owner, await createMember(server.baseUrl, owner));
});
afterAll(async () => {
  await server.close();
});

describe('malformed tus requests', () => {
  it(`answers ${REQUESTS} of them without a 5xx, stores nothing and leaves the owner’s upload alone`, async () => {
    await probeMalformedTus(target, REQUESTS, 'tus malformed');
  });
});
