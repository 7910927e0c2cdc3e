import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password';

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
});
