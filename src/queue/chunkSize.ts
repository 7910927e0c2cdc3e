/**
 * The size of each upload's tus chunks, from the throughput measured (DESIGN §4, issue 13): fast
 * links get their speed from larger chunks, so the pause between one request's answer and the
 * next is a small share of each; slow links keep chunks small, so the confirmed offset, the
 * progress shown and a retry's starting point move often. Standard tus: one PATCH at a time.
 */

const MiB = 1024 * 1024;

/** The smallest chunk: a photo fits one request, a video resumes at most this far back. */
export const MIN_CHUNK_BYTES = 8 * MiB;

/**
 * How long a chunk should take at the measured rate. At 200 Mbit/s a pause of 20–30 ms between
 * requests (a round trip and the browser's own) is 1 % of 2 s; at 20 Mbit/s an 8 MiB chunk
 * already takes 3.4 s.
 */
export const CHUNK_SECONDS = 2;

/** Measurements kept: the estimate follows a link that changes (Wi-Fi to cellular) within a few chunks. */
const KEPT = 4;

/** Chunks smaller than this (a photo, a file's last piece) time the round trip more than the link. */
const MEASURED_MIN_BYTES = MiB;

/** The chunk size for a link of `bytesPerSecond` (null: not measured yet), in whole MiB. */
export function chunkSizeFor(bytesPerSecond: number | null, maxChunkBytes: number): number {
  const max = Math.max(MIN_CHUNK_BYTES, maxChunkBytes);
  if (bytesPerSecond === null) return MIN_CHUNK_BYTES;
  const wanted = Math.floor((bytesPerSecond * CHUNK_SECONDS) / MiB) * MiB;
  return Math.min(max, Math.max(MIN_CHUNK_BYTES, wanted));
}

/** The upload rate of the last few chunks, as one drain sees them. */
export class ThroughputMeter {
  private readonly samples: { bytes: number; ms: number }[] = [];

  /** One chunk: its bytes and the time from the last chunk's answer (or the upload's start) to its own. */
  record(bytes: number, ms: number): void {
    if (bytes < MEASURED_MIN_BYTES || ms <= 0) return;
    this.samples.push({ bytes, ms });
    if (this.samples.length > KEPT) this.samples.shift();
  }

  /** Bytes per second, or null before the first measured chunk. */
  estimate(): number | null {
    if (this.samples.length === 0) return null;
    const bytes = this.samples.reduce((sum, sample) => sum + sample.bytes, 0);
    const ms = this.samples.reduce((sum, sample) => sum + sample.ms, 0);
    return (bytes * 1000) / ms;
  }
}
