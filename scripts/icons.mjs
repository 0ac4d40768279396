#!/usr/bin/env node
/**
 * Turns resources/icon.svg, the one drawing of Parley's icon, into every size a platform needs:
 *   build/icons/<n>x<n>.png  Linux's icon set (the .desktop file, AppImage, deb, rpm)
 *   build/icon.png           1024 px, from which electron-builder makes macOS's .icns
 *   build/icon.ico           Windows (16 to 256 px in one file)
 *   out/icons/window.png     the window's icon on Linux
 *   out/icons/tray.png       the tray icon, and tray-unread.png with a dot (something waits)
 *   out/icons/overlay.png    the dot Windows draws over the taskbar button
 * Run by `npm run build` (and so by `npm start` and packaging), after electron-vite.
 *
 * resvg (a Rust SVG renderer, prebuilt for each platform on npm) draws the PNGs; png-to-ico
 * packs the .ico. Both are build-time only: the app ships the PNGs, not the tools.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import pngToIco from 'png-to-ico';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const svg = readFileSync(join(root, 'resources/icon.svg'), 'utf8');
/** The same icon with a red dot at its top right: the tray's "something waits". */
const withDot = svg.replace(
  '</svg>',
  '<circle cx="820" cy="204" r="190" fill="#d93025" stroke="#fff" stroke-width="48"/></svg>',
);
const DOT =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#d93025" stroke="#fff" stroke-width="1.5"/></svg>';

const png = (source, size) => new Resvg(source, { fitTo: { mode: 'width', value: size } }).render().asPng();
const write = (file, data) => {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), data);
};

export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
for (const size of LINUX_SIZES) write(`build/icons/${size}x${size}.png`, png(svg, size));
write('build/icon.png', png(svg, 1024));
write('build/icon.ico', await pngToIco([16, 24, 32, 48, 64, 128, 256].map((size) => png(svg, size))));
write('out/icons/window.png', png(svg, 256));
write('out/icons/tray.png', png(svg, 32));
write('out/icons/tray-unread.png', png(withDot, 32));
write('out/icons/overlay.png', png(DOT, 16));
console.log('icons: build/icons, build/icon.png, build/icon.ico, out/icons');
