import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { preparedText } from '../../src/core/host/outbound';

/** ws's frame parser (ws exports it; @types/ws does not declare it). */
interface FrameReader {
  on(event: 'message', listener: (data: Buffer, binary: boolean) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  write(chunk: Buffer): void;
}
const { Receiver } = ws as unknown as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => FrameReader;
};

/** What a WebSocket client makes of `wire`: ws's own parser, as a member's Link would run it. */
function received(wire: Buffer): Promise<{ text: string; binary: boolean }> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false, maxPayload: 0 });
    receiver.on('message', (data: Buffer, binary: boolean) =>
      resolve({ text: data.toString('utf8'), binary }),
    );
    receiver.on('error', reject);
    receiver.write(wire);
  });
}

describe('prepared frames', () => {
  // 125, 126 and 65,536 are where RFC 6455 switches between its three length encodings.
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 200_000])(
    'frames a %i-byte text so that a WebSocket client reads it back whole, as text',
    async (length) => {
      const json = JSON.stringify({ type: 'x', pad: 'a'.repeat(Math.max(0, length - 20)) }).slice(0, length);
      const prepared = preparedText(json);
      expect(await received(prepared.wire)).toEqual({ text: json, binary: false });
      expect(prepared.payload.toString('utf8')).toBe(json);
    },
  );

  it('counts the length in UTF-8 bytes, not characters', async () => {
    const json = JSON.stringify({ nick: '访客'.repeat(40) });
    const prepared = preparedText(json);
    expect(prepared.payload.length).toBe(Buffer.byteLength(json));
    expect((await received(prepared.wire)).text).toBe(json);
  });
});
