/**
 * Random access to a file's bytes without reading it whole: a 10 GB video's metadata sits in a
 * few kilobytes, at its start or after its media data.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer at the end of the source). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) =>
      Promise.resolve(bytes.subarray(offset, Math.min(bytes.length, offset + length))),
  };
}

export function fileSource(file: FileHandle, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const wanted = Math.max(0, Math.min(length, size - offset));
      const buffer = Buffer.alloc(wanted);
      let filled = 0;
      while (filled < wanted) {
        const { bytesRead } = await file.read(buffer, filled, wanted - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    },
  };
}

/** Runs `use` over the file at `path` and closes it afterwards. */
export async function withFile<T>(path: string, use: (source: ByteSource) => Promise<T>): Promise<T> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    return await use(fileSource(file, size));
  } finally {
    await file.close();
  }
}

/** Big-endian reads over a byte array; every read past the end returns null instead of throwing. */
export class Reader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  u8(at: number): number | null {
    return at >= 0 && at + 1 <= this.bytes.length ? this.view.getUint8(at) : null;
  }

  u16(at: number): number | null {
    return at >= 0 && at + 2 <= this.bytes.length ? this.view.getUint16(at) : null;
  }

  i16(at: number): number | null {
    return at >= 0 && at + 2 <= this.bytes.length ? this.view.getInt16(at) : null;
  }

  u32(at: number): number | null {
    return at >= 0 && at + 4 <= this.bytes.length ? this.view.getUint32(at) : null;
  }

  i32(at: number): number | null {
    return at >= 0 && at + 4 <= this.bytes.length ? this.view.getInt32(at) : null;
  }

  /** Unsigned 64-bit as a number: exact below 2^53, which covers every size and time in practice. */
  u64(at: number): number | null {
    return at >= 0 && at + 8 <= this.bytes.length ? Number(this.view.getBigUint64(at)) : null;
  }

  /** An unsigned integer of 0–8 bytes, as ISO BMFF's iloc and EBML use. */
  uint(at: number, size: number): number | null {
    if (at < 0 || size < 0 || size > 8 || at + size > this.bytes.length) return null;
    let value = 0;
    for (let i = 0; i < size; i += 1) value = value * 256 + (this.bytes[at + i] ?? 0);
    return value;
  }

  f32(at: number): number | null {
    return at >= 0 && at + 4 <= this.bytes.length ? this.view.getFloat32(at) : null;
  }

  f64(at: number): number | null {
    return at >= 0 && at + 8 <= this.bytes.length ? this.view.getFloat64(at) : null;
  }

  latin1(at: number, length: number): string {
    return String.fromCharCode(...this.bytes.subarray(at, Math.min(this.bytes.length, at + length)));
  }

  utf8(at: number, length: number): string {
    return new TextDecoder().decode(this.bytes.subarray(at, Math.min(this.bytes.length, at + length)));
  }
}
