import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The renderer build the window loads: `npm run bench` builds it first. */
export const RENDERER_OUT = join(import.meta.dirname, '../../out/renderer');

export interface BundleSize {
  /** Gzipped (level 9) bytes of every .js file, summed. */
  jsGzip: number;
  cssGzip: number;
  jsRaw: number;
  cssRaw: number;
  /** Each file: its path under out/renderer, raw and gzipped bytes. */
  files: { path: string; raw: number; gzip: number }[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * What the window downloads and parses, gzipped at level 9 (what a web server would send; an
 * Electron app reads it from disk, so this is a measure of size, not of transfer).
 */
export function measureBundle(): BundleSize {
  if (!existsSync(RENDERER_OUT)) {
    throw new Error(`${RENDERER_OUT} is missing: build the renderer first (npx electron-vite build).`);
  }
  const size: BundleSize = { jsGzip: 0, cssGzip: 0, jsRaw: 0, cssRaw: 0, files: [] };
  for (const path of walk(RENDERER_OUT)) {
    const ext = extname(path);
    if (ext !== '.js' && ext !== '.css') continue;
    const body = readFileSync(path);
    const gzip = gzipSync(body, { level: 9 }).length;
    size.files.push({ path: relative(RENDERER_OUT, path), raw: body.length, gzip });
    if (ext === '.js') {
      size.jsGzip += gzip;
      size.jsRaw += body.length;
    } else {
      size.cssGzip += gzip;
      size.cssRaw += body.length;
    }
  }
  if (size.jsRaw === 0) throw new Error(`${RENDERER_OUT} holds no JavaScript: is the build complete?`);
  return size;
}
