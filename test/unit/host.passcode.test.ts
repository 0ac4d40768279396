import { ReasonCode } from '../../src/shared/reasons';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { GuessingReport } from '../../src/core/host/PasscodeGate';
import { Room } from '../../src/core/host/Room';
import { MemberKey } from '../../src/core/memberKey';
import { CloseCode, ErrorCode } from '../../src/shared/protocol';
import { makeClient, stateOf } from './support/client';
import { manualClock, startHost } from './support/host';
import { guessWrong, helloWith, proofFor } from './support/passcode';
import { RawPeer } from './support/RawPeer';

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

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RoomHost passcode', () => {
  it('says so in its info, and challenges first with a fresh nonce and the room’s salt', async () => {
    const host = await startHost({ passcode: PASSCODE });
    expect(host.info().passcode).toBe(true);
    const a = await RawPeer.open(host.port);
    const b = await RawPeer.open(host.port);
    const [ca, cb] = [await a.next('challenge'), await b.next('challenge')];
    expect(ca.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ca.nonce).not.toBe(cb.nonce);
    expect(ca.salt).toMatch(/^[A-Za-z0-9_-]{22}$/);
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
    expect(reason).toEqual({ code: ReasonCode.PasscodeRequired });
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
    expect(reason).toEqual({ code: ReasonCode.BadPasscode });
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
    expect(host.listenerCount('guessing')).toBe(0);
    expect((await sixth.closed).code).toBe(CloseCode.Unauthorized);

    const right = await helloWith(host.port, PASSCODE);
    expect(await right.next('error')).toMatchObject({ code: ErrorCode.TooManyAttempts });

    clock.advance(60_000);
    const later = await helloWith(host.port, PASSCODE);
    expect((await later.next('welcome')).you.nick).toBe('Guesser');
  });

  it('refuses a proof bound to another certificate, as a relay in between would have it', async () => {
    const host = await startHost({ passcode: PASSCODE });
    const peer = await RawPeer.connect(host.port);
    peer.hello('Relayed', { proof: proofFor(peer, PASSCODE, 'e'.repeat(64)) });
    expect(await peer.next('error')).toMatchObject({ code: ErrorCode.BadPasscode });
  });

  it('counts wrong passcodes per network: twenty addresses of one /24 lock it, another /24 is still heard', async () => {
    const clock = manualClock();
    const host = await startHost({ passcode: PASSCODE, clock: clock.now });
    await guessWrong(host.port, 20, (i) => `127.0.0.${i + 2}`);
    const rotated = await helloWith(host.port, PASSCODE, { from: '127.0.0.100' });
    const refused = await rotated.next('error');
    expect(refused).toMatchObject({ code: ErrorCode.TooManyAttempts });
    expect(refused.message).toMatch(/^Too many wrong passcodes from your network; try again in \d+ s\.$/);

    const elsewhere = await helloWith(host.port, PASSCODE, { from: '127.0.9.1' });
    expect((await elsewhere.next('welcome')).you.nick).toBe('Guesser');
  });

  it('tells the host when its room is being guessed at, and then checks one newcomer per 5 s room-wide', async () => {
    const clock = manualClock();
    const host = await startHost({ passcode: PASSCODE, clock: clock.now });
    const reports: GuessingReport[] = [];
    host.on('guessing', (report) => reports.push(report));
    // Thirty networks, one guess each: no address or network limit is ever reached.
    await guessWrong(host.port, 30, (i) => `127.1.${i}.1`);
    expect(reports).toEqual([{ failures: 30, addresses: 30, networks: 30 }]);

    const first = await helloWith(host.port, PASSCODE, { from: '127.2.0.1' });
    expect((await first.next('welcome')).you.nick).toBe('Guesser');
    const second = await helloWith(host.port, PASSCODE, { from: '127.2.1.1' });
    expect(await second.next('error')).toMatchObject({
      code: ErrorCode.TooManyAttempts,
      message: 'This room is receiving many wrong passcodes; try again in 5 s.',
    });
    clock.advance(5_000);
    const third = await helloWith(host.port, PASSCODE, { from: '127.2.2.1' });
    expect((await third.next('welcome')).you.nick).toBe('Guesser (2)');
  });

  it('under guessing, still checks a newcomer from a network that guessed nothing while the guessing networks have used their turn', async () => {
    const clock = manualClock();
    const host = await startHost({ passcode: PASSCODE, clock: clock.now });
    // Two networks, fifteen addresses each: the room is under guessing, neither network locked.
    await guessWrong(host.port, 30, (i) => `127.4.${i % 2}.${Math.floor(i / 2) + 1}`);
    // The guessers' one check per 5 s: taken by a wrong guess, then a second is refused.
    expect(
      await (await helloWith(host.port, 'wrong again', { from: '127.4.0.99' })).next('error'),
    ).toMatchObject({
      code: ErrorCode.BadPasscode,
    });
    expect(
      await (await helloWith(host.port, 'wrong again', { from: '127.4.1.99' })).next('error'),
    ).toMatchObject({
      code: ErrorCode.TooManyAttempts,
      message: 'This room is receiving many wrong passcodes; try again in 5 s.',
    });
    // A guesser that knows the passcode after all waits its turn too: the lane is the network's.
    expect(await (await helloWith(host.port, PASSCODE, { from: '127.4.0.98' })).next('error')).toMatchObject({
      code: ErrorCode.TooManyAttempts,
    });

    const honest = await helloWith(host.port, PASSCODE, { from: '127.5.0.1' });
    expect((await honest.next('welcome')).you.nick).toBe('Guesser');
  });

  it('lets a member who proved the passcode once back in without it, even while its address is locked', async () => {
    const clock = manualClock();
    const host = await startHost({ passcode: PASSCODE, clock: clock.now });
    const alice = MemberKey.generate();
    const first = await helloWith(host.port, PASSCODE, { key: alice });
    await first.next('welcome');
    first.ws.close();
    await first.closed;
    await guessWrong(host.port, 5, () => '127.0.0.1');
    await guessWrong(host.port, 25, (i) => `127.3.${i}.1`);
    expect(await (await helloWith(host.port, null, { from: '127.0.0.1' })).next('error')).toMatchObject({
      code: ErrorCode.TooManyAttempts,
    });

    const back = await helloWith(host.port, null, { key: alice });
    expect((await back.next('welcome')).you.id).toBe(alice.id);
  });

  it('challenges a room without a passcode too, with no salt, and welcomes a hello without a proof', async () => {
    const host = await startHost();
    expect(host.info().passcode).toBeUndefined();
    const peer = await RawPeer.open(host.port);
    const challenge = await peer.next('challenge');
    expect(challenge.salt).toBeUndefined();
    peer.challenge = challenge;
    peer.hello('Alice');
    await peer.next('welcome');
  });
});
