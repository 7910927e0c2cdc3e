/**
 * EXIF orientation (TIFF 6.0 tag 0x0112, values 1–8) as pure functions.
 *
 * The value says where the stored rows and columns go: 1 is upright, 2–4 mirror or turn the
 * picture by 180°, 5–8 turn it a quarter, so the upright picture is the stored one with width and
 * height swapped.
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** Quarter turns clockwise, as sharp's `rotate(angle)` takes them. */
export type QuarterTurn = 0 | 90 | 180 | 270;

/**
 * Any tag value to an orientation. Anything outside 1–8 is treated as 1: the recurser examples
 * carry 0, which TIFF 6.0 does not define, and every viewer shows such files as stored.
 */
export function normalizeOrientation(value: unknown): Orientation {
  switch (value) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
      return value;
    default:
      return 1;
  }
}

/** True when the upright picture is the stored one turned a quarter (width and height swap). */
export function swapsDimensions(orientation: Orientation): boolean {
  return orientation >= 5;
}

/** Width and height of the upright picture. */
export function orientedSize(
  width: number,
  height: number,
  orientation: Orientation,
): { width: number; height: number } {
  return swapsDimensions(orientation) ? { width: height, height: width } : { width, height };
}

/**
 * What to do to the stored pixels to make them upright, in sharp's order: sharp always mirrors
 * (`flip` = top↔bottom, `flop` = left↔right) before it rotates, whatever the call order.
 *
 * 5 (transpose) = mirror left↔right, then 270° clockwise; 7 (transverse) = mirror, then 90°.
 */
export function orientationSteps(orientation: Orientation): {
  flip: boolean;
  flop: boolean;
  rotate: QuarterTurn;
} {
  switch (orientation) {
    case 1:
      return { flip: false, flop: false, rotate: 0 };
    case 2:
      return { flip: false, flop: true, rotate: 0 };
    case 3:
      return { flip: false, flop: false, rotate: 180 };
    case 4:
      return { flip: true, flop: false, rotate: 0 };
    case 5:
      return { flip: false, flop: true, rotate: 270 };
    case 6:
      return { flip: false, flop: false, rotate: 90 };
    case 7:
      return { flip: false, flop: true, rotate: 90 };
    case 8:
      return { flip: false, flop: false, rotate: 270 };
  }
}

/**
 * Where the stored pixel (x, y) lands in the upright picture. The definition the other functions
 * are tested against.
 */
export function orientPoint(
  x: number,
  y: number,
  width: number,
  height: number,
  orientation: Orientation,
): { x: number; y: number } {
  const right = width - 1;
  const bottom = height - 1;
  switch (orientation) {
    case 1:
      return { x, y };
    case 2:
      return { x: right - x, y };
    case 3:
      return { x: right - x, y: bottom - y };
    case 4:
      return { x, y: bottom - y };
    case 5:
      return { x: y, y: x };
    case 6:
      return { x: bottom - y, y: x };
    case 7:
      return { x: bottom - y, y: right - x };
    case 8:
      return { x: y, y: right - x };
  }
}
