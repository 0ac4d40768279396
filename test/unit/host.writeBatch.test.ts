import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { WriteBatch } from '../../src/core/host/writeBatch';

/** A socket stand-in that records each write it is handed: one entry per write or writev. */
function recorder(): { socket: Writable; writes: string[][] } {
  const writes: string[][] = [];
  const socket = new Writable({
    writev(chunks, done) {
      writes.push(chunks.map((c) => String(c.chunk)));
      done();
    },
    write(chunk, _encoding, done) {
      writes.push([String(chunk)]);
      done();
    },
  });
  return { socket, writes };
}

describe('WriteBatch', () => {
  it('hands a turn’s frames for one socket over in one write, in order', async () => {
    const batch = new WriteBatch();
    const a = recorder();
    for (const frame of ['1', '2', '3']) {
      batch.hold(a.socket);
      a.socket.write(frame);
    }
    expect(a.writes).toEqual([]);
    await nextTurn();
    expect(a.writes).toEqual([['1', '2', '3']]);
  });

  it('releases every socket held in the turn, each once', async () => {
    const batch = new WriteBatch();
    const a = recorder();
    const b = recorder();
    for (const frame of ['x', 'y']) {
      for (const { socket } of [a, b]) {
        batch.hold(socket);
        socket.write(frame);
      }
    }
    await nextTurn();
    expect(a.writes).toEqual([['x', 'y']]);
    expect(b.writes).toEqual([['x', 'y']]);
    expect(a.socket.writableCorked).toBe(0);
    expect(b.socket.writableCorked).toBe(0);
  });

  it('holds the next turn’s frames on their own', async () => {
    const batch = new WriteBatch();
    const a = recorder();
    batch.hold(a.socket);
    a.socket.write('first');
    await nextTurn();
    batch.hold(a.socket);
    a.socket.write('second');
    await nextTurn();
    expect(a.writes).toEqual([['first'], ['second']]);
  });
});
