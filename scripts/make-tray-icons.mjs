// Makes the tray icon's status variants from resources/icons/tray.png and tray@2x.png: the same
// icon with a badge in its lower right corner, amber while a connection is reconnecting and red
// once one is lost; and macOS's template icons (trayTemplate.png, @2x): black with the icon's
// alpha, which the menu bar tints for light and dark mode (Electron's setTemplateImage).
// Run after changing the tray icon: node scripts/make-tray-icons.mjs
// (the PNGs are committed; the app only loads them).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';

const { PNG } = pngjs;
const icons = join(dirname(fileURLToPath(import.meta.url)), '../resources/icons');

/** The badges, by file suffix: fill colour (Fluent's warning and danger tones). */
const BADGES = {
  reconnecting: [0xf7, 0x63, 0x0c],
  lost: [0xd1, 0x34, 0x38],
};

/**
 * Paints a filled disc with a transparent ring around it (so it reads on any tray background),
 * anti-aliased by coverage, into the lower right corner of `png`.
 */
function badge(png, [r, g, b]) {
  const size = png.width;
  const radius = size * 0.28;
  const ring = Math.max(1, size / 16);
  const cx = size - radius - 0.5;
  const cy = size - radius - 0.5;
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const d = Math.hypot(x - cx, y - cy);
      const i = (y * png.width + x) * 4;
      const fill = Math.min(1, Math.max(0, radius - d + 0.5));
      const cut = Math.min(1, Math.max(0, radius + ring - d + 0.5));
      if (cut <= 0) continue;
      // The ring clears the icon under it; the disc is drawn over the cleared area.
      const alpha = png.data[i + 3] * (1 - cut);
      const a = fill * 255 + alpha * (1 - fill);
      const mix = (c, own) => (a === 0 ? 0 : (c * fill * 255 + own * alpha * (1 - fill)) / a);
      png.data[i] = Math.round(mix(r, png.data[i]));
      png.data[i + 1] = Math.round(mix(g, png.data[i + 1]));
      png.data[i + 2] = Math.round(mix(b, png.data[i + 2]));
      png.data[i + 3] = Math.round(a);
    }
  }
}

for (const scale of ['', '@2x']) {
  for (const [name, colour] of Object.entries(BADGES)) {
    const png = PNG.sync.read(readFileSync(join(icons, `tray${scale}.png`)));
    badge(png, colour);
    const out = join(icons, `tray-${name}${scale}.png`);
    writeFileSync(out, PNG.sync.write(png));
    console.log(`make-tray-icons: ${out}`);
  }
}

// A template image is only black and alpha (macOS ignores its colours).
for (const scale of ['', '@2x']) {
  const png = PNG.sync.read(readFileSync(join(icons, `tray${scale}.png`)));
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = 0;
    png.data[i + 1] = 0;
    png.data[i + 2] = 0;
  }
  const out = join(icons, `trayTemplate${scale}.png`);
  writeFileSync(out, PNG.sync.write(png));
  console.log(`make-tray-icons: ${out}`);
}
