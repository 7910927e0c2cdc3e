/**
 * Issue 18, the abuse suite against the scale-out set-up: two server processes on one PostgreSQL
 * database and one S3 bucket behind a round-robin proxy, which sends each request to the other
 * process than the one before. The sign-in throttle's counts hold across both (they are in the
 * database), and the malformed tus requests find no 5xx and touch nothing on either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, createOwner, type Account } from '../support/client';
import { startTwoProcesses, type TwoProcesses } from '../support/two-processes';
import { probeThrottleBursts } from './throttle-bursts';
import { probeMalformedTus, tusTarget } from './tus-requests';

const REQUESTS = 1_200;
const WHERE = ', 2 processes behind round robin';

let two: TwoProcesses;
let owner: Account;

beforeAll(async () => {
  // One trusted proxy in front: the tests play it, and so can speak for many client addresses.
  two = await startTwoProcesses({ TRUST_PROXY: '1' }, () => '');
  owner = await createOwner(two.proxy.url, { password: 'a strong owner password' });
});
afterAll(async () => {
  await two.close();
});

/** How many of the requests since the `from`th each process had. */
function perProcess(from: number): number[] {
  const routed = two.proxy.routed.slice(from);
  return [0, 1].map((backend) => routed.filter((request) => request.backend === backend).length);
}

describe('two processes', () => {
  it('let five guesses through a burst of 400 at one account from one address, however it is spread', async () => {
    const from = two.proxy.routed.length;
    await probeThrottleBursts(two.proxy.url, owner.email, WHERE);
    // Each process had half of the 800 to count.
    expect(Math.min(...perProcess(from))).toBe(400);
  });

  it(`answer ${REQUESTS} malformed tus requests without a 5xx, store nothing and leave the owner’s upload alone`, async () => {
    const member = await createMember(two.proxy.url, owner);
    const target = await tusTarget(two.proxy.url, owner, member);
    const from = two.proxy.routed.length;
    await probeMalformedTus(target, REQUESTS, `tus malformed${WHERE}`);
    // Each process had half of them, and of the checks after them.
    expect(Math.min(...perProcess(from))).toBeGreaterThanOrEqual(REQUESTS / 2);
  });
});
