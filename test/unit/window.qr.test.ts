import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { formatInvite } from '../../src/core/invite/inviteLink';
import { qrPath } from '../../src/renderer/src/lib/qrPath';

/** Paints the path's unit squares as the window's SVG does (4 modules of quiet zone), `scale` px each. */
function raster(d: string, size: number, scale = 4) {
  const quiet = 4;
  const side = (size + 2 * quiet) * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (const [, x, y] of d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const px = (Number(x) + quiet) * scale + dx;
        const py = (Number(y) + quiet) * scale + dy;
        pixels.fill(0, (py * side + px) * 4, (py * side + px) * 4 + 3);
      }
    }
  }
  return { pixels, side };
}

describe('the invite QR code', () => {
  it('reads back as the very link, for the longest names and most addresses a link can carry', () => {
    const link = formatInvite({
      roomId: 'x'.repeat(64),
      name: '会'.repeat(64),
      host: 'ü'.repeat(32),
      endpoints: Array.from({ length: 8 }, (_, i) => ({
        host: `fd00:1234:5678:9abc::${i + 1}`,
        port: 65535,
      })),
      fingerprint: 'f'.repeat(64),
      passcode: true,
    });
    const { d, size } = qrPath(link);
    const { pixels, side } = raster(d, size);
    expect(jsQR(pixels, side, side)?.data).toBe(link);
  });
});
