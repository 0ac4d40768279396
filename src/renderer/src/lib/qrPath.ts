import { correction, generate } from 'lean-qr';

/**
 * A QR code of `text` as one SVG path (a unit square per dark module, in module units) and its
 * size in modules: drawn by the window as vector markup, so it scales crisply, follows the theme
 * and needs no image URL under the CSP. Correction M: a screen photographed at an angle reads.
 */
export function qrPath(text: string): { d: string; size: number } {
  const code = generate(text, { minCorrectionLevel: correction.M });
  let d = '';
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) if (code.get(x, y)) d += `M${x} ${y}h1v1h-1z`;
  }
  return { d, size: code.size };
}
