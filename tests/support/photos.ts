/**
 * Generated photos for the browser suites: distinct real JPEGs, so that none is a duplicate of
 * another, made in a folder of the caller's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

/**
 * `count` JPEGs in `dir` of a small real photo, each followed by random bytes (decoders stop at
 * EOI), and padded to `bytes` when given; with the SHA-256 of each, in the same order.
 */
export async function generatedPhotos(
  dir: string,
  count: number,
  bytes = 0,
): Promise<{ paths: string[]; sha256: string[] }> {
  const base = await sharp({
    create: { width: 64, height: 48, channels: 3, background: { r: 40, g: 120, b: 200 } },
  })
    .jpeg({ quality: 80 })
    .toBuffer();
  const paths: string[] = [];
  const sha256: string[] = [];
  for (let at = 0; at < count; at++) {
    const tail = randomBytes(Math.max(16, bytes - base.length));
    const photo = Buffer.concat([base, tail]);
    const path = join(dir, `IMG_${String(at).padStart(4, '0')}.jpg`);
    writeFileSync(path, photo);
    paths.push(path);
    sha256.push(createHash('sha256').update(photo).digest('hex'));
  }
  return { paths, sha256 };
}
