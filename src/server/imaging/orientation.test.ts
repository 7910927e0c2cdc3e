import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  normalizeOrientation,
  orientationSteps,
  orientedSize,
  orientPoint,
  swapsDimensions,
} from './orientation';
import type { Orientation } from './orientation';

const ALL: Orientation[] = [1, 2, 3, 4, 5, 6, 7, 8];

describe('normalizeOrientation', () => {
  it('keeps 1–8 and turns anything else into 1', () => {
    for (const value of ALL) expect(normalizeOrientation(value)).toBe(value);
    // Landscape_0.jpg carries 0, which TIFF 6.0 does not define.
    for (const value of [0, 9, -1, 6.5, '6', null, undefined]) expect(normalizeOrientation(value)).toBe(1);
  });
});

describe('swapsDimensions and orientedSize', () => {
  it('swaps width and height for the quarter turns 5–8 only', () => {
    expect(ALL.filter(swapsDimensions)).toEqual([5, 6, 7, 8]);
    expect(orientedSize(4000, 1848, 6)).toEqual({ width: 1848, height: 4000 });
    expect(orientedSize(1800, 1200, 3)).toEqual({ width: 1800, height: 1200 });
  });
});

describe('orientPoint', () => {
  it('sends the stored top-left corner where TIFF 6.0 says row 0 / column 0 are shown', () => {
    const w = 4;
    const h = 3;
    // 1: top-left; 2: top-right; 3: bottom-right; 4: bottom-left; 5: top-left (transposed);
    // 6: top-right; 7: bottom-right; 8: bottom-left, in the upright picture.
    const corners = ALL.map((o) => {
      const size = orientedSize(w, h, o);
      const p = orientPoint(0, 0, w, h, o);
      return `${p.x === 0 ? 'left' : p.x === size.width - 1 ? 'right' : '?'}-${p.y === 0 ? 'top' : p.y === size.height - 1 ? 'bottom' : '?'}`;
    });
    expect(corners).toEqual([
      'left-top',
      'right-top',
      'right-bottom',
      'left-bottom',
      'left-top',
      'right-top',
      'right-bottom',
      'left-bottom',
    ]);
  });
});

describe('orientationSteps', () => {
  it('mirror-then-rotate steps agree with orientPoint for all eight orientations', () => {
    const w = 5;
    const h = 3;
    for (const o of ALL) {
      const steps = orientationSteps(o);
      for (let y = 0; y < h; y += 1) {
        for (let x = 0; x < w; x += 1) {
          let px = steps.flop ? w - 1 - x : x;
          let py = steps.flip ? h - 1 - y : y;
          let cw = w;
          let ch = h;
          for (let turn = 0; turn < steps.rotate / 90; turn += 1) {
            // A quarter turn clockwise: (x, y) in a cw×ch picture → (ch-1-y, x).
            [px, py] = [ch - 1 - py, px];
            [cw, ch] = [ch, cw];
          }
          expect({ o, x: px, y: py }).toEqual({ o, ...orientPoint(x, y, w, h, o) });
        }
      }
    }
  });

  it('done by sharp, put every pixel where orientPoint says (sharp mirrors before it rotates)', async () => {
    const w = 4;
    const h = 3;
    const stored = Buffer.alloc(w * h);
    for (let i = 0; i < stored.length; i += 1) stored[i] = i * 20;
    for (const o of ALL) {
      const steps = orientationSteps(o);
      let image = sharp(stored, { raw: { width: w, height: h, channels: 1 } })
        .flip(steps.flip)
        .flop(steps.flop);
      if (steps.rotate !== 0) image = image.rotate(steps.rotate);
      const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
      expect({ o, width: info.width, height: info.height }).toEqual({ o, ...orientedSize(w, h, o) });
      for (let y = 0; y < h; y += 1) {
        for (let x = 0; x < w; x += 1) {
          const to = orientPoint(x, y, w, h, o);
          expect({ o, x, y, value: data[(to.y * info.width + to.x) * info.channels] }).toEqual({
            o,
            x,
            y,
            value: stored[y * w + x],
          });
        }
      }
    }
  });
});
