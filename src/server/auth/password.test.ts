import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password';
import { assertStrongPassword, closePasswordStrength } from './password-strength';

afterAll(closePasswordStrength);

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same old shoebox')).not.toBe(await hashPassword('same old shoebox'));
  });

  it('treats composed and decomposed Unicode alike', async () => {
    const hash = await hashPassword('caf\u00e9 au lait, s\u00fbr');
    expect(await verifyPassword('cafe\u0301 au lait, su\u0302r', hash)).toBe(true);
  });

  it('refuses malformed or extravagant hashes instead of throwing', async () => {
    const hash = await hashPassword('purple walrus');
    const [, , r, p, salt, key] = hash.split('$');
    for (const stored of [
      '',
      'bcrypt$whatever',
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${key}`,
      `scrypt$1000$${r}$${p}$${salt}$${key}`,
      `scrypt$32768$${r}$${p}$${salt}$c2hvcnQ=`,
      `${hash}$extra`,
    ]) {
      expect(await verifyPassword('purple walrus', stored)).toBe(false);
    }
  });

  it('refuses a weak new password with zxcvbn’s advice as the sentence', async () => {
    for (const weak of ['password', '        ', 'Password1', 'qwertyuiop', 'abcdefgh', 'letmein123']) {
      await expect(hashPassword(weak), weak).rejects.toMatchObject({
        code: 'WEAK_PASSWORD',
        message: expect.stringMatching(/^Choose a stronger password\. \S/) as string,
      });
    }
    await expect(hashPassword('ada@example.com', ['ada@example.com', 'Ada Lovelace'])).rejects.toMatchObject({
      code: 'WEAK_PASSWORD',
    });
    await expect(hashPassword('correct horse battery staple')).resolves.toMatch(/^scrypt\$/);
  });

  it('answers a check that starts while the idle checker is being ended', async () => {
    await assertStrongPassword('correct horse battery staple');
    // The idle worker's end is announced after this check has started its successor (as when its
    // idle timer fires just before a sign-up): the check must get its answer, not "stopped".
    const ending = closePasswordStrength();
    await expect(assertStrongPassword('correct horse battery staple')).resolves.toBeUndefined();
    await ending;
  });

  it('checks strength off the event loop, bounded whatever the length', async () => {
    await closePasswordStrength();
    // Short words and spaces made zxcvbn take a second at 46 characters and seven at 256, all of
    // it on the thread that answers every request (issue 18). The first check also builds the
    // dictionaries (~0.4 s).
    const crafted = 'abc def ghi jkl mno pqr stu vwx yz 123 456 789 '.repeat(22).slice(0, 1024);
    const before = performance.eventLoopUtilization();
    const started = performance.now();
    await assertStrongPassword(crafted, ['ada@example.com', 'Ada Lovelace']);
    await assertStrongPassword(crafted.slice(0, 46));
    const elapsed = performance.now() - started;
    const { utilization } = performance.eventLoopUtilization(before);
    // Time spent running JavaScript on this thread (not waiting) over the whole of both checks.
    expect(utilization, `${elapsed.toFixed(0)} ms`).toBeLessThan(0.25);
  });
});

describe('the password checker in a process with nothing else to wait on', () => {
  it('keeps the process alive until its answer comes', async () => {
    // As in a bench or a script that builds the app with fastify's inject and no listening
    // socket: before, the idle-unref'd worker let such a process end with the check unanswered.
    const dir = await mkdtemp(join(tmpdir(), 'shoebox-password-'));
    try {
      const script = join(dir, 'check.mts');
      const module = fileURLToPath(new URL('./password-strength.ts', import.meta.url));
      await writeFile(
        script,
        `const { assertStrongPassword } = await import(${JSON.stringify(module)});\n` +
          `await assertStrongPassword('a long and unusual passphrase 9');\n` +
          `console.log('checked');\n`,
      );
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script]);
      expect(stdout.trim()).toBe('checked');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
