import { describe, expect, it } from 'vitest';
import { corpusFile } from '../../../tests/support/corpus';
import { MAC_EPOCH_OFFSET_SECONDS } from './bmff';
import { bufferSource, withFile } from './bytes';
import { macTimeToUtc, matrixRotation, parseIso6709, parseIsoLocal, readBmffVideo, readWebm } from './video';

const FIXED_ONE = 0x10000;

describe('matrixRotation', () => {
  it('reads the quarter turn of a tkhd matrix (16.16 cos, sin)', () => {
    expect(matrixRotation(FIXED_ONE, 0)).toBe(0);
    expect(matrixRotation(0, FIXED_ONE)).toBe(90);
    expect(matrixRotation(-FIXED_ONE, 0)).toBe(180);
    expect(matrixRotation(0, -FIXED_ONE)).toBe(270);
  });
});

describe('parseIso6709', () => {
  it('reads decimal degrees with altitude, as iPhones write', () => {
    expect(parseIso6709('+32.0929+034.8620+028.516/')).toEqual({
      latitude: 32.0929,
      longitude: 34.862,
      altitude: 28.516,
    });
  });

  it('reads degrees-minutes and degrees-minutes-seconds forms', () => {
    const dm = parseIso6709('+3730.00-12215.00/');
    expect(dm?.latitude).toBeCloseTo(37.5, 6);
    expect(dm?.longitude).toBeCloseTo(-122.25, 6);
    const dms = parseIso6709('+373000-1221500/');
    expect(dms?.latitude).toBeCloseTo(37.5, 6);
    expect(dms?.longitude).toBeCloseTo(-122.25, 6);
  });

  it('refuses garbage and 0°, 0°', () => {
    expect(parseIso6709('somewhere')).toBeNull();
    expect(parseIso6709('+00.0000+000.0000/')).toBeNull();
  });
});

describe('dates', () => {
  it('keeps the wall clock and the offset of an Apple creationdate', () => {
    expect(parseIsoLocal('2019-07-24T11:25:40+0300')).toEqual({
      wallClock: '2019-07-24T11:25:40.000',
      offsetMinutes: 180,
    });
    expect(parseIsoLocal('2019-07-24T11:25:40.5Z')).toEqual({
      wallClock: '2019-07-24T11:25:40.500',
      offsetMinutes: 0,
    });
    expect(parseIsoLocal('2019-07-24T11:25:40')).toEqual({
      wallClock: '2019-07-24T11:25:40.000',
      offsetMinutes: null,
    });
    expect(parseIsoLocal('July')).toBeNull();
  });

  it('counts mvhd times from 1904 and ignores unset ones', () => {
    expect(macTimeToUtc(MAC_EPOCH_OFFSET_SECONDS + 1_500_000_000)).toBe('2017-07-14T02:40:00.000');
    expect(macTimeToUtc(0)).toBeNull();
    expect(macTimeToUtc(1_000)).toBeNull();
  });
});

describe('readBmffVideo on the corpus', () => {
  it('applies the iPhone MOV track rotation to its size and reads Apple keys', async () => {
    const fields = await withFile(corpusFile('with-gps.mov').path, readBmffVideo);
    // Stored 568×320 (manifest) with a 90° matrix: shown portrait.
    expect(fields).toMatchObject({ width: 320, height: 568, rotation: 90, make: 'Apple', model: 'iPhone 6' });
    expect(fields.durationSeconds).toBeCloseTo(4.0, 1);
    // com.apple.quicktime.creationdate carries the local time and offset: 08:25Z in mvhd.
    expect(fields.capturedAt).toBe('2019-07-24T11:25:40.000');
    expect(fields.offsetMinutes).toBe(180);
    expect(fields.gps?.latitude).toBeCloseTo(32.0929, 4);
    expect(fields.gps?.longitude).toBeCloseTo(34.862, 4);
  });

  it('reads an Android MP4: size, duration, UTC creation time, ©xyz location', async () => {
    const fields = await withFile(corpusFile('with-gps.mp4').path, readBmffVideo);
    expect(fields).toMatchObject({ width: 1920, height: 1080, rotation: 0 });
    expect(fields.durationSeconds).toBeGreaterThan(0);
    expect(fields.capturedAt).toBe('2017-02-22T08:20:28.000');
    expect(fields.offsetMinutes).toBe(0);
    expect(fields.gps?.latitude).toBeCloseTo(51.4169, 4);
    expect(fields.gps?.longitude).toBeCloseTo(-0.0806, 4);
  });

  it('reads a 3GP', async () => {
    const fields = await withFile(corpusFile('sample.3gp').path, readBmffVideo);
    expect(fields).toMatchObject({ width: 176, height: 144, capturedAt: '2005-10-28T17:36:40.000' });
    expect(fields.durationSeconds).toBeGreaterThan(0);
  });
});

/** A box: 32-bit size, 4cc type, payload. */
function box(type: string, ...parts: Uint8Array[]): Buffer {
  const payload = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
}

function u32s(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeInt32BE(v | 0, i * 4));
  return out;
}

describe('readBmffVideo on built files', () => {
  it('finds moov after mdat, reads 64-bit mvhd times and a 270° track', async () => {
    const created = MAC_EPOCH_OFFSET_SECONDS + 1_600_000_000;
    const mvhd = Buffer.alloc(4 + 8 + 8 + 4 + 8);
    mvhd.writeUInt8(1, 0);
    mvhd.writeBigUInt64BE(BigInt(created), 4);
    mvhd.writeUInt32BE(600, 20);
    mvhd.writeBigUInt64BE(600n * 90n, 24);
    const tkhd = Buffer.concat([
      u32s(0, 0, 0, 1, 0, 0), // version 0, times, track id, reserved, duration
      u32s(0, 0, 0, 0), // reserved, layer/group, volume/reserved
      u32s(0, -FIXED_ONE, 0, FIXED_ONE, 0, 0, 0, 0, 0x40000000), // 270°
      u32s(1920 * FIXED_ONE, 1080 * FIXED_ONE),
    ]);
    const hdlr = Buffer.concat([u32s(0, 0), Buffer.from('vide', 'latin1'), u32s(0, 0, 0), Buffer.from([0])]);
    const file = Buffer.concat([
      box('ftyp', Buffer.from('isom\0\0\0\0isom', 'latin1')),
      box('mdat', Buffer.alloc(50_000)),
      box('moov', box('mvhd', mvhd), box('trak', box('tkhd', tkhd), box('mdia', box('hdlr', hdlr)))),
    ]);
    const fields = await readBmffVideo(bufferSource(file));
    expect(fields).toMatchObject({ width: 1080, height: 1920, rotation: 270, durationSeconds: 90 });
    expect(fields.capturedAt).toBe('2020-09-13T12:26:40.000');
  });

  it('gives nulls for a file without moov or with broken boxes', async () => {
    const noMoov = await readBmffVideo(bufferSource(box('ftyp', Buffer.from('isom', 'latin1'))));
    expect(noMoov).toMatchObject({ width: null, durationSeconds: null });
    const broken = Buffer.from([0, 0, 0, 3, 0x6d, 0x6f, 0x6f, 0x76]);
    expect((await readBmffVideo(bufferSource(broken))).durationSeconds).toBeNull();
  });
});

describe('readWebm', () => {
  it('reads size and duration from the segment info and the video track', async () => {
    const fields = await withFile(corpusFile('fixture.webm').path, readWebm);
    expect(fields).toMatchObject({ width: 640, height: 356, rotation: 0 });
    // Duration 72.0 × TimestampScale 1,000,000 ns.
    expect(fields.durationSeconds).toBeCloseTo(0.072, 6);
  });

  it('gives nulls for something that is not EBML', async () => {
    expect((await readWebm(bufferSource(Buffer.from('not a webm')))).durationSeconds).toBeNull();
  });
});
