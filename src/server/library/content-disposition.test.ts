import { describe, expect, it } from 'vitest';
import { attachmentDisposition } from './content-disposition';

describe('attachmentDisposition', () => {
  it('keeps an ASCII name', () => {
    expect(attachmentDisposition('IMG_0001.JPG')).toBe(
      `attachment; filename="IMG_0001.JPG"; filename*=UTF-8''IMG_0001.JPG`,
    );
  });

  it('encodes a non-ASCII name and gives an ASCII fallback', () => {
    expect(attachmentDisposition('Olympus μ Digital 800.JPG')).toBe(
      `attachment; filename="Olympus _ Digital 800.JPG"; filename*=UTF-8''Olympus%20%CE%BC%20Digital%20800.JPG`,
    );
    expect(attachmentDisposition('Café.jpg')).toBe(
      `attachment; filename="Cafe.jpg"; filename*=UTF-8''Caf%C3%A9.jpg`,
    );
  });

  it('cannot be broken out of by quotes or parentheses', () => {
    expect(attachmentDisposition('a"b\\c (1)\'.jpg')).toBe(
      `attachment; filename="a_b_c (1)'.jpg"; filename*=UTF-8''a%22b%5Cc%20%281%29%27.jpg`,
    );
  });
});
