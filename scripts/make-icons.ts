/**
 * Renders the app icons in public/ from public/icon.svg. The PNGs are committed; run this after
 * changing the SVG: `npx tsx scripts/make-icons.ts`.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const publicDir = fileURLToPath(new URL('../public/', import.meta.url));
const BACKGROUND = '#1f6f5c';

interface IconSpec {
  file: string;
  size: number;
  /**
   * Maskable icons must keep their content inside the central 80 % "safe zone"
   * (https://w3c.github.io/manifest/#icon-masks), so the artwork is shrunk onto a full-bleed square.
   */
  maskable: boolean;
}

const ICONS: readonly IconSpec[] = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
  { file: 'apple-touch-icon.png', size: 180, maskable: true },
];

async function render(svg: Buffer, spec: IconSpec): Promise<void> {
  const out = `${publicDir}${spec.file}`;
  if (!spec.maskable) {
    await sharp(svg, { density: 300 }).resize(spec.size, spec.size).png().toFile(out);
    return;
  }
  const inner = Math.round(spec.size * 0.8);
  const artwork = await sharp(svg, { density: 300 }).resize(inner, inner).png().toBuffer();
  const offset = Math.round((spec.size - inner) / 2);
  await sharp({
    create: { width: spec.size, height: spec.size, channels: 4, background: BACKGROUND },
  })
    .composite([{ input: artwork, top: offset, left: offset }])
    .png()
    .toFile(out);
}

const svg = await readFile(`${publicDir}icon.svg`);
for (const spec of ICONS) {
  await render(svg, spec);
  console.log(`wrote public/${spec.file}`);
}
