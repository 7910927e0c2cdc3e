/**
 * Helpers for this folder's tests: corpus files patched into orientation cases the corpus lacks,
 * and a pixel comparison that tells an upright picture from a turned or mirrored one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { corpusFile } from '../../../tests/support/corpus';

/** Byte offsets where `pattern` occurs in `bytes`. */
export function findAll(bytes: Uint8Array, pattern: readonly number[]): number[] {
  const hits: number[] = [];
  for (let i = 0; i + pattern.length <= bytes.length; i += 1) {
    if (pattern.every((value, k) => bytes[i + k] === value)) hits.push(i);
  }
  return hits;
}

/** Sets the EXIF Orientation of a big-endian ('MM') TIFF structure inside `bytes`. */
export function patchExifOrientation(bytes: Buffer, orientation: number): void {
  // IFD entry: tag 0x0112, type SHORT (3), count 1, value in the first two bytes.
  const hits = findAll(bytes, [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]);
  if (hits.length !== 1 || hits[0] === undefined)
    throw new Error(`expected one Orientation entry, found ${hits.length}`);
  bytes.writeUInt16BE(orientation, hits[0] + 8);
}

/** The offset of a property box's type field in `bytes` (the first one of that type). */
export function boxTypeAt(bytes: Buffer, type: string): number {
  const at = bytes.indexOf(type, 0, 'latin1');
  if (at < 0) throw new Error(`no ${type} box`);
  return at;
}

export interface Scratch {
  write(name: string, bytes: Uint8Array): string;
  remove(): void;
}

export function scratchDir(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'shoebox-imaging-'));
  return {
    write(name, bytes) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function corpusBytes(filename: string): Buffer {
  return readFileSync(corpusFile(filename).path);
}

/** A tiny greyscale version of an image, stretched to `width`×`height`, for comparisons. */
export async function signature(image: Buffer | string, width = 48, height = 32): Promise<Uint8Array> {
  const { data } = await sharp(image)
    .resize({ width, height, fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return data;
}

export function meanAbsoluteDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error('signatures differ in size');
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/** Where the pixels matching `test` lie, as fractions of width and height (0–1), and how many. */
export async function centroid(
  image: Buffer,
  test: (r: number, g: number, b: number) => boolean,
): Promise<{ x: number; y: number; count: number }> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let x = 0;
  let y = 0;
  let count = 0;
  for (let i = 0; i < info.width * info.height; i += 1) {
    const at = i * info.channels;
    if (test(data[at] ?? 0, data[at + 1] ?? 0, data[at + 2] ?? 0)) {
      x += i % info.width;
      y += Math.floor(i / info.width);
      count += 1;
    }
  }
  return count === 0
    ? { x: NaN, y: NaN, count }
    : { x: x / count / info.width, y: y / count / info.height, count };
}

/** The red of a "no entry" sign: strongly red, little green or blue. */
export const isSignRed = (r: number, g: number, b: number): boolean => r > 150 && g < 90 && b < 90;
