import type { ThumbPlaceholderCode, ThumbSize } from '../../shared/api';

const LONG_SIDE: Record<ThumbSize, number> = { s: 320, l: 1280 };

const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);

const round = (value: number): number => Math.round(value * 10) / 10;

/**
 * The image shown for an asset without a preview: the asset's proportions where they are known
 * (so the grid keeps its layout), a play symbol for a video, a crossed-out picture otherwise, and
 * the reason as its accessible title. Self-contained: no fonts, scripts or links.
 *
 * The crossed-out picture has no background of its own: the tile's shows through it, light or
 * dark with the page (an opaque light grey was a bright block in the dark timeline), and its grey
 * keeps 3:1 against both tiles (WCAG 1.4.11).
 */
export function placeholderSvg(
  placeholder: { code: ThumbPlaceholderCode; reason: string },
  size: ThumbSize,
  dimensions: { width: number | null; height: number | null },
): string {
  const long = LONG_SIDE[size];
  const { width, height } = dimensions;
  const ratio = width !== null && height !== null && width > 0 && height > 0 ? width / height : 1;
  const w = Math.max(1, Math.round(ratio >= 1 ? long : long * ratio));
  const h = Math.max(1, Math.round(ratio >= 1 ? long / ratio : long));
  // The symbol is drawn on a 100-unit square at the centre.
  const unit = Math.min(w, h) / 100;
  const x = (dx: number): number => round(w / 2 + dx * unit);
  const y = (dy: number): number => round(h / 2 + dy * unit);
  const u = (n: number): number => round(n * unit);
  const stroke = '#80868b';
  const symbol =
    placeholder.code === 'video'
      ? `<circle cx="${x(0)}" cy="${y(0)}" r="${u(24)}" fill="#ffffff" fill-opacity="0.85"/>` +
        `<path d="M${x(-8)} ${y(-12)}L${x(13)} ${y(0)}L${x(-8)} ${y(12)}Z" fill="#3c4043"/>`
      : `<rect x="${x(-22)}" y="${y(-16)}" width="${u(44)}" height="${u(32)}" rx="${u(3)}" ` +
        `fill="none" stroke="${stroke}" stroke-width="${u(3)}"/>` +
        `<path d="M${x(-16)} ${y(10)}L${x(-4)} ${y(-2)}L${x(4)} ${y(6)}L${x(9)} ${y(1)}L${x(16)} ${y(10)}" ` +
        `fill="none" stroke="${stroke}" stroke-width="${u(2.5)}"/>` +
        `<path d="M${x(-26)} ${y(22)}L${x(26)} ${y(-22)}" stroke="${stroke}" stroke-width="${u(3)}"/>`;
  const background = placeholder.code === 'video' ? `<rect width="${w}" height="${h}" fill="#3c4043"/>` : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">` +
    `<title>${escapeXml(placeholder.reason)}</title>${background}${symbol}</svg>`
  );
}
