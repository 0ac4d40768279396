/**
 * Every text colour of the window reads at 4.5:1 or more (WCAG 2.1 AA, normal text) on every
 * background it is drawn on, in the light palette and in the dark one: read from app.css itself.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CSS = readFileSync(resolve(import.meta.dirname, '../../src/renderer/src/app.css'), 'utf8');

/** The `--name: #hex` tokens of the first rule whose selector is exactly `selector`. */
function tokens(selector: string): Record<string, string> {
  const start = CSS.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`app.css has no ${selector} rule`);
  const body = CSS.slice(start, CSS.indexOf('\n}', start));
  const found: Record<string, string> = {};
  for (const m of body.matchAll(/(--[a-z-]+):\s*(#[0-9a-f]{6})\b/gi)) found[m[1]!] = m[2]!.toLowerCase();
  return found;
}

const light = tokens(':root');
/** The dark palette sets what differs; the rest is the light one's. */
const dark = { ...light, ...tokens(":root[data-theme='dark']") };

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const PAGE = ['--bg', '--bg-subtle', '--bg-sunken', '--bg-hover'];
/** Text token → the backgrounds the window draws it on. A literal colour is written as is. */
const PAIRS: [string, string[]][] = [
  ['--text', PAGE],
  ['--text-muted', PAGE],
  ['--text-faint', PAGE],
  ['--accent-fg', ['--bg', '--bg-subtle', '--accent-soft']],
  ['--accent-text', ['--accent', '--accent-hover']],
  ['--danger', ['--bg', '--bg-subtle', '--danger-soft']],
  ['--warning', ['--bg', '--bg-subtle', '--warning-soft']],
  ['--success', ['--bg', '--bg-subtle', '--success-soft']],
  // The unread badge: the page's colour on muted text's.
  ['--bg', ['--text-muted']],
  // The private-messages badge: white on its fill.
  ['#ffffff', ['--badge-danger']],
];

describe.each([
  ['light', light],
  ['dark', dark],
])('the %s palette', (_name, palette) => {
  const colour = (token: string) => {
    const value = token.startsWith('#') ? token : palette[token];
    if (!value) throw new Error(`app.css does not define ${token}`);
    return value;
  };
  const cases = PAIRS.flatMap(([fg, bgs]) => bgs.map((bg) => [fg, bg] as const));

  it.each(cases)('draws %s on %s at 4.5:1 or more', (fg, bg) => {
    expect(contrast(colour(fg), colour(bg))).toBeGreaterThanOrEqual(4.5);
  });
});
