/**
 * Video metadata without ffmpeg: ISO BMFF (MP4, QuickTime, 3GP) movie and track headers, Apple's
 * metadata keys and 3GPP/Android location atoms, and the WebM/Matroska segment info.
 */
import { MAC_EPOCH_OFFSET_SECONDS, childBoxes, childBoxesOf, findBox } from './bmff';
import type { Box } from './bmff';
import { Reader } from './bytes';
import type { ByteSource } from './bytes';
import { parseOffset, validPosition } from './exif';
import type { GpsPosition } from './exif';
import type { QuarterTurn } from './orientation';

export interface VideoFields {
  /** Displayed size: the track matrix rotation applied (a portrait phone video is taller than wide). */
  width: number | null;
  height: number | null;
  /** Clockwise rotation the player applies to the coded frames (tkhd matrix, §8.3.2 of 14496-12). */
  rotation: QuarterTurn;
  durationSeconds: number | null;
  make: string | null;
  model: string | null;
  gps: GpsPosition | null;
  /** Wall-clock time 'YYYY-MM-DDTHH:mm:ss.sss'; with `offsetMinutes` 0 when only UTC is known. */
  capturedAt: string | null;
  offsetMinutes: number | null;
}

export const NO_VIDEO_FIELDS: VideoFields = {
  width: null,
  height: null,
  rotation: 0,
  durationSeconds: null,
  make: null,
  model: null,
  gps: null,
  capturedAt: null,
  offsetMinutes: null,
};

/** moov holds the sample tables too: a long video's is megabytes. Everything we need is outside stbl. */
const MAX_HEADER_BOX_BYTES = 4 * 1024 * 1024;

/** Reads an MP4/MOV/3GP file's movie box (wherever it lies, before or after mdat). */
export async function readBmffVideo(source: ByteSource): Promise<VideoFields> {
  const top = await childBoxesOf(source, 0, source.size);
  const moov = findBox(top.boxes, 'moov');
  if (!moov) return NO_VIDEO_FIELDS;
  const moovChildren = await childBoxesOf(source, moov.payload, moov.end);
  const load = async (box: Box): Promise<Uint8Array | null> =>
    box.end - box.start > MAX_HEADER_BOX_BYTES ? null : source.read(box.start, box.end - box.start);

  const fields: VideoFields = { ...NO_VIDEO_FIELDS };
  const mvhd = findBox(moovChildren.boxes, 'mvhd');
  const movie = mvhd ? parseMvhd(await load(mvhd)) : null;
  if (movie) {
    fields.durationSeconds = movie.durationSeconds;
    if (movie.createdUtc) {
      fields.capturedAt = movie.createdUtc;
      fields.offsetMinutes = 0;
    }
  }

  for (const trak of moovChildren.boxes.filter((box) => box.type === 'trak')) {
    const track = await readTrack(source, trak, load);
    if (!track || track.handler !== 'vide') continue;
    const swap = track.rotation === 90 || track.rotation === 270;
    fields.width = swap ? track.height : track.width;
    fields.height = swap ? track.width : track.height;
    fields.rotation = track.rotation;
    if (fields.durationSeconds === null) fields.durationSeconds = track.durationSeconds;
    break;
  }
  if (fields.durationSeconds === null) {
    // Fragmented MP4 (what MediaRecorder and some cameras write): mvhd says 0, mvex/mehd has it.
    const mvex = findBox(moovChildren.boxes, 'mvex');
    const mvexBytes = mvex ? await load(mvex) : null;
    const mehd = mvexBytes ? findBox(childBoxes(mvexBytes, 8).boxes, 'mehd') : undefined;
    if (mvexBytes && mehd && movie)
      fields.durationSeconds = fullBoxTime(new Reader(mvexBytes), mehd, movie.timescale);
  }

  const tags = new Map<string, string>();
  for (const type of ['udta', 'meta'] as const) {
    const box = findBox(moovChildren.boxes, type);
    const bytes = box ? await load(box) : null;
    if (bytes) collectTags(bytes, type, tags);
  }
  fields.make = tags.get('com.apple.quicktime.make') ?? tags.get('©mak') ?? null;
  fields.model = tags.get('com.apple.quicktime.model') ?? tags.get('©mod') ?? null;
  const location = tags.get('com.apple.quicktime.location.ISO6709') ?? tags.get('©xyz');
  fields.gps = location ? parseIso6709(location) : null;
  // Apple's creationdate is local time with its offset ("2019-07-24T10:25:57+0200"), which the
  // UTC mvhd time cannot tell.
  const local = parseIsoLocal(tags.get('com.apple.quicktime.creationdate') ?? tags.get('©day'));
  if (local) {
    fields.capturedAt = local.wallClock;
    fields.offsetMinutes = local.offsetMinutes;
  }
  return fields;
}

interface MovieHeader {
  timescale: number;
  durationSeconds: number | null;
  createdUtc: string | null;
}

function parseMvhd(bytes: Uint8Array | null): MovieHeader | null {
  if (!bytes) return null;
  const reader = new Reader(bytes);
  const version = reader.u8(8);
  const created = version === 1 ? reader.u64(12) : reader.u32(12);
  const timescale = version === 1 ? reader.u32(28) : reader.u32(20);
  const duration = version === 1 ? reader.u64(32) : reader.u32(24);
  if (!timescale) return null;
  return {
    timescale,
    durationSeconds: positiveDuration(duration, timescale),
    createdUtc: macTimeToUtc(created),
  };
}

function positiveDuration(duration: number | null, timescale: number): number | null {
  // All ones means "unknown" (§8.2.2.3 of 14496-12).
  if (duration === null || duration === 0 || duration === 0xffffffff || !timescale) return null;
  return duration / timescale;
}

/** The duration field of mehd (version 0: 32 bits, 1: 64 bits) in seconds. */
function fullBoxTime(reader: Reader, box: Box, timescale: number): number | null {
  const version = reader.u8(box.payload);
  const value = version === 1 ? reader.u64(box.payload + 4) : reader.u32(box.payload + 4);
  return positiveDuration(value, timescale);
}

/**
 * Seconds since 1904-01-01 UTC to 'YYYY-MM-DDTHH:mm:ss.000'; 0 (unset) and times before 1971 are
 * null: some encoders write Unix time or small garbage into this field.
 */
export function macTimeToUtc(seconds: number | null): string | null {
  if (seconds === null || seconds === 0) return null;
  const unixSeconds = seconds - MAC_EPOCH_OFFSET_SECONDS;
  if (unixSeconds < 365 * 24 * 3600) return null;
  return new Date(unixSeconds * 1000).toISOString().slice(0, 23);
}

interface Track {
  handler: string;
  width: number;
  height: number;
  rotation: QuarterTurn;
  durationSeconds: number | null;
}

async function readTrack(
  source: ByteSource,
  trak: Box,
  load: (box: Box) => Promise<Uint8Array | null>,
): Promise<Track | null> {
  const children = await childBoxesOf(source, trak.payload, trak.end);
  const tkhd = findBox(children.boxes, 'tkhd');
  const mdia = findBox(children.boxes, 'mdia');
  const tkhdBytes = tkhd ? await load(tkhd) : null;
  if (!tkhdBytes || !mdia) return null;
  const mdiaChildren = await childBoxesOf(source, mdia.payload, mdia.end);
  const hdlr = findBox(mdiaChildren.boxes, 'hdlr');
  const mdhd = findBox(mdiaChildren.boxes, 'mdhd');
  const hdlrBytes = hdlr ? await load(hdlr) : null;
  const mdhdBytes = mdhd ? await load(mdhd) : null;
  // hdlr: FullBox, pre_defined(32), handler_type(4cc).
  const handler = hdlrBytes ? new Reader(hdlrBytes).latin1(16, 4) : '';

  const reader = new Reader(tkhdBytes);
  const version = reader.u8(8);
  // After the times, track id, reserved and duration: reserved(64), layer, alternate_group,
  // volume, reserved(16), matrix(9 × 32), width, height (16.16 fixed point).
  const matrixAt = 12 + (version === 1 ? 32 : 20) + 16;
  const a = reader.i32(matrixAt);
  const b = reader.i32(matrixAt + 4);
  const width = reader.u32(matrixAt + 36);
  const height = reader.u32(matrixAt + 40);
  if (a === null || b === null || width === null || height === null) return null;

  let durationSeconds: number | null = null;
  if (mdhdBytes) {
    const mdhdReader = new Reader(mdhdBytes);
    const mdhdVersion = mdhdReader.u8(8);
    const timescale = mdhdVersion === 1 ? mdhdReader.u32(28) : mdhdReader.u32(20);
    const duration = mdhdVersion === 1 ? mdhdReader.u64(32) : mdhdReader.u32(24);
    durationSeconds = timescale ? positiveDuration(duration, timescale) : null;
  }
  return {
    handler,
    width: Math.round(width / 65536),
    height: Math.round(height / 65536),
    rotation: matrixRotation(a, b),
    durationSeconds,
  };
}

/**
 * The clockwise quarter turn of a tkhd matrix whose first row is (a, b) = (cos θ, sin θ) in 16.16
 * fixed point; QuickTime and ffmpeg read 90° as a = 0, b = 1.0, as iPhones write for portrait.
 */
export function matrixRotation(a: number, b: number): QuarterTurn {
  const degrees = (Math.round((Math.atan2(b, a) * 180) / Math.PI / 90) * 90 + 360) % 360;
  return degrees === 90 || degrees === 180 || degrees === 270 ? degrees : 0;
}

/**
 * Text tags from udta (QuickTime '©xyz', '©mak', '©mod', '©day': 16-bit length, 16-bit language,
 * text) and from meta (Apple 'mdta' keys + ilst, QuickTime File Format "Metadata").
 */
function collectTags(bytes: Uint8Array, type: 'udta' | 'meta', into: Map<string, string>): void {
  const reader = new Reader(bytes);
  if (type === 'udta') {
    for (const box of childBoxes(bytes, 8).boxes) {
      if (box.type.startsWith('©')) {
        const length = reader.u16(box.payload);
        if (length !== null && box.payload + 4 + length <= box.end) {
          into.set(box.type, reader.utf8(box.payload + 4, length).replace(/\0+$/, ''));
        }
      } else if (box.type === 'meta') {
        collectTags(bytes.subarray(box.start, box.end), 'meta', into);
      }
    }
    return;
  }
  // QuickTime's meta is a plain box; ISO's is a FullBox (4 bytes of version and flags first).
  const fullBox = reader.u32(8) === 0;
  const children = childBoxes(bytes, fullBox ? 12 : 8).boxes;
  const keys = findBox(children, 'keys');
  const ilst = findBox(children, 'ilst');
  if (!ilst) return;
  const names: string[] = [];
  if (keys) {
    const count = reader.u32(keys.payload + 4) ?? 0;
    let at = keys.payload + 8;
    for (let i = 0; i < count && at + 8 <= keys.end; i += 1) {
      const size = reader.u32(at);
      if (size === null || size < 8) break;
      names.push(reader.utf8(at + 8, size - 8));
      at += size;
    }
  }
  for (const item of childBoxes(bytes, ilst.payload, ilst.end).boxes) {
    // With keys, an item's type is the key's 1-based index; without, it is the iTunes 4cc.
    const index = reader.u32(item.start + 4);
    const name = keys && index !== null ? names[index - 1] : item.type;
    const data = findBox(childBoxes(bytes, item.payload, item.end).boxes, 'data');
    if (!name || !data) continue;
    // data: type indicator (1 = UTF-8), locale, value.
    if (reader.u32(data.payload) === 1)
      into.set(name, reader.utf8(data.payload + 8, data.end - data.payload - 8));
  }
}

/**
 * ISO 6709 point ('+37.3316-122.0301+061.001/', also degrees-minutes '+3720.12-12201.45/' and
 * degrees-minutes-seconds forms) as written by iPhones and Android in QuickTime/MP4 files.
 */
export function parseIso6709(value: string): GpsPosition | null {
  const match = /^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?/.exec(value.trim());
  if (!match?.[1] || !match[2]) return null;
  const latitude = iso6709Angle(match[1], 2);
  const longitude = iso6709Angle(match[2], 3);
  if (latitude === null || longitude === null) return null;
  return validPosition(latitude, longitude, match[3] ? Number(match[3]) : null);
}

function iso6709Angle(text: string, degreeDigits: number): number | null {
  const sign = text.startsWith('-') ? -1 : 1;
  const [whole = '', fraction = ''] = text.slice(1).split('.');
  const tail = fraction ? Number(`0.${fraction}`) : 0;
  let value: number;
  if (whole.length === degreeDigits) {
    value = Number(whole) + tail;
  } else if (whole.length === degreeDigits + 2) {
    value = Number(whole.slice(0, degreeDigits)) + (Number(whole.slice(degreeDigits)) + tail) / 60;
  } else if (whole.length === degreeDigits + 4) {
    value =
      Number(whole.slice(0, degreeDigits)) +
      Number(whole.slice(degreeDigits, degreeDigits + 2)) / 60 +
      (Number(whole.slice(degreeDigits + 2)) + tail) / 3600;
  } else {
    return null;
  }
  return Number.isFinite(value) ? sign * value : null;
}

/** '2019-07-24T10:25:57+0200' (or '+02:00', 'Z') to its wall-clock part and offset. */
export function parseIsoLocal(
  value: string | undefined,
): { wallClock: string; offsetMinutes: number | null } | null {
  if (!value) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?/.exec(
    value.trim(),
  );
  if (!match) return null;
  const millis = (match[7] ?? '').padEnd(3, '0').slice(0, 3);
  return {
    wallClock: `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}.${millis}`,
    offsetMinutes: match[8] ? parseOffset(match[8]) : null,
  };
}

/** Matroska element IDs (RFC 9559 §5.1), with their length-marker bits kept, as written. */
const EBML = {
  segment: 0x18538067,
  info: 0x1549a966,
  timestampScale: 0x2ad7b1,
  duration: 0x4489,
  dateUtc: 0x4461,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackType: 0x83,
  video: 0xe0,
  pixelWidth: 0xb0,
  pixelHeight: 0xba,
  cluster: 0x1f43b675,
} as const;

/** Matroska's DateUTC counts nanoseconds from 2001-01-01T00:00:00Z. */
const MATROSKA_EPOCH_MS = Date.UTC(2001, 0, 1);

/** Segment Info and Tracks come before the first Cluster, in the first kilobytes of a WebM. */
const WEBM_HEAD_BYTES = 1024 * 1024;

/** WebM/Matroska: duration and date from Segment Info, size from the first video track. */
export async function readWebm(source: ByteSource): Promise<VideoFields> {
  const head = await source.read(0, WEBM_HEAD_BYTES);
  const reader = new Reader(head);
  const fields: VideoFields = { ...NO_VIDEO_FIELDS };
  let scale = 1_000_000;
  let rawDuration: number | null = null;

  const walk = (start: number, end: number, depth: number): void => {
    let at = start;
    while (at < end && depth < 8) {
      const id = readVint(reader, at, true);
      if (!id) return;
      const size = readVint(reader, at + id.length, false);
      if (!size) return;
      const dataAt = at + id.length + size.length;
      // An unknown size (all ones, used by live recorders) runs to the end of what we read.
      const dataEnd = size.unknown ? end : Math.min(end, dataAt + size.value);
      switch (id.value) {
        case EBML.segment:
        case EBML.info:
        case EBML.tracks:
        case EBML.trackEntry:
        case EBML.video:
          walk(dataAt, dataEnd, depth + 1);
          break;
        case EBML.timestampScale:
          scale = reader.uint(dataAt, size.value) ?? scale;
          break;
        case EBML.duration:
          rawDuration = size.value === 4 ? reader.f32(dataAt) : size.value === 8 ? reader.f64(dataAt) : null;
          break;
        case EBML.dateUtc: {
          const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
          if (size.value === 8 && dataAt + 8 <= head.length) {
            const ms = MATROSKA_EPOCH_MS + Number(view.getBigInt64(dataAt) / 1_000_000n);
            fields.capturedAt = new Date(ms).toISOString().slice(0, 23);
            fields.offsetMinutes = 0;
          }
          break;
        }
        case EBML.pixelWidth:
          fields.width ??= reader.uint(dataAt, size.value);
          break;
        case EBML.pixelHeight:
          fields.height ??= reader.uint(dataAt, size.value);
          break;
        case EBML.cluster:
          return;
        default:
          break;
      }
      if (size.unknown) return;
      at = dataAt + size.value;
    }
  };
  // Skip the EBML header element, then read the Segment.
  const headerId = readVint(reader, 0, true);
  const headerSize = headerId ? readVint(reader, headerId.length, false) : null;
  if (!headerId || !headerSize || headerId.value !== 0x1a45dfa3) return NO_VIDEO_FIELDS;
  walk(headerId.length + headerSize.length + headerSize.value, head.length, 0);

  const duration: number | null = rawDuration;
  if (duration !== null && Number.isFinite(duration) && duration > 0) {
    fields.durationSeconds = (duration * scale) / 1e9;
  }
  return fields;
}

/** An EBML variable-length integer (RFC 8794 §4): the count of leading zeros is the extra length. */
function readVint(
  reader: Reader,
  at: number,
  keepMarker: boolean,
): { value: number; length: number; unknown: boolean } | null {
  const first = reader.u8(at);
  if (first === null || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (length > 8) return null;
  if (keepMarker) {
    const raw = reader.uint(at, length);
    return raw === null ? null : { value: raw, length, unknown: false };
  }
  // Drop the marker bit before adding up: an 8-byte size with its marker is past 2^53.
  const rest = reader.uint(at + 1, length - 1);
  if (rest === null) return null;
  const high = first & (0xff >> length);
  const value = high * 2 ** (8 * (length - 1)) + rest;
  return { value, length, unknown: value === 2 ** (7 * length) - 1 };
}
