/**
 * Issue 18, the abuse suite's sign-in throttle under concurrent bursts, sent to a server that
 * trusts one proxy (TRUST_PROXY=1) and so takes each request's address from X-Forwarded-For: run
 * against one process (flood.test.ts) and against two behind round robin (processes.test.ts),
 * where the counts must hold across both.
 */
import { expect } from 'vitest';
import { api } from '../support/client';
import { record, tally } from '../support/probe-table';

/** A sign-in from `address` (as the trusted proxy says), with the server's own Origin. */
export function signInFrom(baseUrl: string, email: string, password: string, address: string) {
  return api<{ error?: { code: string; message: string } }>(baseUrl, 'POST', '/api/auth/login', {
    body: { email, password },
    headers: { 'x-forwarded-for': address, origin: baseUrl },
  });
}

/**
 * 400 parallel wrong passwords at `email` from one address: five may be checked. Then 400 at
 * another account spread over 40 addresses: twenty per account in all. `where` names the servers
 * in the table's rows.
 */
export async function probeThrottleBursts(baseUrl: string, email: string, where: string): Promise<void> {
  const burst = await Promise.all(
    Array.from({ length: 400 }, () => signInFrom(baseUrl, email, 'not the password', '203.0.113.9')),
  );
  const statuses = burst.map((response) => response.status);
  const checked = statuses.filter((status) => status === 401).length;
  const spread = await Promise.all(
    Array.from({ length: 400 }, (_, i) =>
      signInFrom(baseUrl, 'someone.else@example.com', 'not the password', `198.51.100.${i % 40}`),
    ),
  );
  const spreadChecked = spread.filter((response) => response.status === 401).length;
  record({
    area: 'throttle',
    did: `400 parallel wrong passwords, one account, one address${where}`,
    saw: tally(statuses),
    ok: checked === 5,
  });
  record({
    area: 'throttle',
    did: `400 parallel wrong passwords, one account, 40 addresses${where}`,
    saw: tally(spread.map((response) => response.status)),
    ok: spreadChecked <= 20,
  });
  expect(checked).toBe(5);
  expect(spreadChecked).toBeLessThanOrEqual(20);
}
