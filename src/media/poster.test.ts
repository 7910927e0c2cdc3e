import { describe, expect, it } from 'vitest';
import type { PrepareInput, PrepareResult, Preparer } from '../queue/preparer';
import { DEFAULT_LIMITS } from '../shared/limits';
import { capturePoster, posterSize, posterTime, withPosters } from './poster';

const input: PrepareInput = {
  blob: new Blob(['x']),
  lastModified: null,
  limits: DEFAULT_LIMITS,
  quality: 'original',
};

function readyAs(type: string): Preparer {
  return () =>
    Promise.resolve<PrepareResult>({
      kind: 'ready',
      fields: { type, sourceSha256: 'a'.repeat(64), sha256: 'a'.repeat(64), capturedAt: null },
    });
}

describe('poster frames', () => {
  it('scales the frame down to 1280 px on its long side, never up', () => {
    expect(posterSize(3840, 2160)).toEqual({ width: 1280, height: 720 });
    expect(posterSize(1080, 1920)).toEqual({ width: 720, height: 1280 });
    expect(posterSize(640, 480)).toEqual({ width: 640, height: 480 });
  });

  it('takes the frame a tenth of the way in, at most a second, and at the start when the length is unknown', () => {
    expect(posterTime(5)).toBe(0.5);
    expect(posterTime(120)).toBe(1);
    expect(posterTime(Number.NaN)).toBe(0);
    expect(posterTime(Number.POSITIVE_INFINITY)).toBe(0);
  });

  it('adds a frame to a ready video only', async () => {
    const frame = new Blob(['frame'], { type: 'image/webp' });
    const taken: Blob[] = [];
    const capture = (video: Blob): Promise<Blob | null> => {
      taken.push(video);
      return Promise.resolve(frame);
    };
    const video = await withPosters(readyAs('video/mp4'), capture)(input);
    expect(video.kind === 'ready' && video.fields.posterBlob).toBe(frame);
    expect(taken).toEqual([input.blob]);

    const photo = await withPosters(readyAs('image/jpeg'), capture)(input);
    expect(photo.kind === 'ready' && photo.fields.posterBlob).toBeUndefined();
    expect(taken).toHaveLength(1);
  });

  it('leaves a video without a frame when none could be taken', async () => {
    const result = await withPosters(readyAs('video/mp4'), () => Promise.resolve(null))(input);
    expect(result.kind === 'ready' && 'posterBlob' in result.fields).toBe(false);
  });

  it('stops like any prepare when aborted while the frame is taken', async () => {
    const controller = new AbortController();
    const prepare = withPosters(readyAs('video/mp4'), () => {
      controller.abort();
      return Promise.resolve(null);
    });
    await expect(prepare({ ...input, signal: controller.signal })).rejects.toThrow();
  });

  it('answers null where there is no document (a worker, the service worker)', async () => {
    expect(await capturePoster(new Blob(['not a video'], { type: 'video/mp4' }))).toBeNull();
  });
});
