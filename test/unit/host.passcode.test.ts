import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { Room } from '../../src/core/host/Room';
import { passcodeKey, passcodeProof } from '../../src/core/passcode';
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { makeClient, stateOf } from './support/client';
import { manualClock, startHost } from './support/host';
import { newKey, RawPeer } from './support/RawPeer';

const PASSCODE = 'correct horse battery staple';

/** Every frame members send to any room of this test, as raw text, captured on the host side. */
function captureClientFrames(): string[] {
  const frames: string[] = [];
  const attach = Room.prototype.attach;
  vi.spyOn(Room.prototype, 'attach').mockImplementation(function (
    this: Room,
    ws: WebSocket,
    address?: string,
  ) {
    ws.on('message', (data) => frames.push(data.toString()));
    attach.call(this, ws, address);
  });
  return frames;
}

/** Connects a raw peer, reads the challenge, and says hello with the proof for `passcode`. */
async function helloWith(port: number, passcode: string | null): Promise<RawPeer> {
  const peer = await RawPeer.connect(port);
  const challenge = await peer.next('challenge');
  const proof =
    passcode === null ? {} : { proof: passcodeProof(passcodeKey(passcode, challenge.salt), challenge.nonce) };
  peer.send({ type: 'hello', v: PROTOCOL_VERSION, nick: 'Guesser', key: newKey(), ...proof });
  return peer;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RoomHost passcode', () => {
  it('says so in its info, and challenges first with a fresh nonce and the room’s salt', async () => {
    const host = await startHost({ passcode: PASSCODE });
    expect(host.info().passcode).toBe(true);
    const a = await RawPeer.connect(host.port);
    const b = await RawPeer.connect(host.port);
    const [ca, cb] = [await a.next('challenge'), await b.next('challenge')];
    expect(ca.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ca.nonce).not.toBe(cb.nonce);
    expect(ca.salt).toBe(cb.salt);
  });

  it('lets a member with the right passcode join, and the passcode never crosses the wire', async () => {
    const frames = captureClientFrames();
    const host = await startHost({ passcode: PASSCODE });
    const client = makeClient(host.port, 'Alice', { passcode: PASSCODE });
    const online = stateOf(client, 'online');
    client.start();
    await online;
    expect(frames.length).toBeGreaterThan(0);
    const hello = JSON.parse(frames[0]!) as { type: string; proof?: string };
    expect(hello.type).toBe('hello');
    expect(hello.proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const raw of frames) expect(raw).not.toContain(PASSCODE);
  });

  it('answers a hello without proof PASSCODE_REQUIRED and closes with 4006; the client goes offline', async () => {
    const host = await startHost({ passcode: PASSCODE });
    const peer = await helloWith(host.port, null);
    expect(await peer.next('error')).toMatchObject({ code: ErrorCode.PasscodeRequired });
    expect((await peer.closed).code).toBe(CloseCode.Unauthorized);

    const client = makeClient(host.port, 'Bob');
    const offline = stateOf(client, 'offline');
    client.start();
    const [, , reason] = await offline;
    expect(reason).toMatch(/passcode/i);
    expect(client.state).toBe('offline');
  });

  it('answers a wrong proof BAD_PASSCODE and closes with 4006; the client goes offline, no retry', async () => {
    const frames = captureClientFrames();
    const host = await startHost({ passcode: PASSCODE });
    const peer = await helloWith(host.port, 'wrong guess');
    expect(await peer.next('error')).toMatchObject({ code: ErrorCode.BadPasscode });
    expect((await peer.closed).code).toBe(CloseCode.Unauthorized);

    const client = makeClient(host.port, 'Bob', { passcode: 'not the passcode' });
    const offline = stateOf(client, 'offline');
    client.start();
    const [, , reason] = await offline;
    expect(reason).toBe('That passcode is not right.');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(client.state).toBe('offline');
    for (const raw of frames) expect(raw).not.toContain('not the passcode');
  });

  it('refuses an address after five wrong passcodes within a minute, even the right one, until the minute passes', async () => {
    const clock = manualClock();
    const host = await startHost({ passcode: PASSCODE, clock: clock.now });
    for (let i = 1; i <= 5; i++) {
      const peer = await helloWith(host.port, `guess ${i}`);
      expect(await peer.next('error')).toMatchObject({ code: ErrorCode.BadPasscode });
      clock.advance(1_000);
    }
    const sixth = await helloWith(host.port, 'guess 6');
    const refused = await sixth.next('error');
    expect(refused.code).toBe(ErrorCode.TooManyAttempts);
    expect(refused.message).toBe('Too many wrong passcodes from this address; try again in 55 s.');
    expect((await sixth.closed).code).toBe(CloseCode.Unauthorized);

    const right = await helloWith(host.port, PASSCODE);
    expect(await right.next('error')).toMatchObject({ code: ErrorCode.TooManyAttempts });

    clock.advance(60_000);
    const later = await helloWith(host.port, PASSCODE);
    expect((await later.next('welcome')).you.nick).toBe('Guesser');
  });

  it('leaves a room without a passcode as it was: no challenge, the welcome comes first', async () => {
    const host = await startHost();
    expect(host.info().passcode).toBeUndefined();
    const peer = await RawPeer.connect(host.port);
    peer.hello('Alice');
    await peer.next('welcome');
  });
});
