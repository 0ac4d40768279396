import { ReasonCode } from '../../src/shared/reasons';
import { createServer } from 'node:https';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { MemberKey } from '../../src/core/memberKey';
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { makeClient, stateOf } from './support/client';
import { startHost } from './support/host';
import { otherIdentity } from './support/identity';
import { RawPeer } from './support/RawPeer';

/**
 * A first-contact impostor: a TLS server with its own certificate that passes every frame
 * between each member that connects to it and the real room on `target`, both ways, as a
 * machine in the middle of the LAN would. Records what it relayed. Stopped when the test ends.
 */
async function startRelay(
  target: number,
): Promise<{ port: number; fromMembers: string[]; fromRoom: string[] }> {
  const identity = await otherIdentity();
  const server = createServer({ key: identity.key, cert: identity.cert });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const relay = { port: 0, fromMembers: [] as string[], fromRoom: [] as string[] };
  wss.on('connection', (member) => {
    const room = new WebSocket(`wss://127.0.0.1:${target}/`, {
      perMessageDeflate: false,
      rejectUnauthorized: false,
    });
    const early: string[] = [];
    member.on('error', () => {});
    room.on('error', () => {});
    member.on('message', (data) => {
      relay.fromMembers.push(String(data));
      if (room.readyState === WebSocket.OPEN) room.send(String(data));
      else early.push(String(data));
    });
    room.on('open', () => early.splice(0).forEach((frame) => room.send(frame)));
    room.on('message', (data) => {
      relay.fromRoom.push(String(data));
      if (member.readyState === WebSocket.OPEN) member.send(String(data));
    });
    room.on('close', (code, reason) => member.readyState === WebSocket.OPEN && member.close(code, reason));
    member.on('close', () => room.close());
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  relay.port = typeof address === 'object' && address ? address.port : 0;
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => server.close(() => resolve()));
        server.closeAllConnections();
      }),
  );
  return relay;
}

describe('RoomHost member identity', () => {
  it('names a member by its public key: the same key pair is the same member on every connection', async () => {
    const host = await startHost();
    const key = MemberKey.generate();
    const first = await RawPeer.join(host.port, 'Alice', { key });
    expect(first.welcome.you.id).toBe(key.id);
    const again = await RawPeer.join(host.port, 'Alice', { key });
    expect(again.welcome.you).toEqual(first.welcome.you);
  });

  it('refuses a hello signed over another certificate with BAD_SIGNATURE and closes with 4007', async () => {
    const host = await startHost();
    const peer = await RawPeer.connect(host.port);
    const key = MemberKey.generate();
    const elsewhere = key.signHello(peer.challenge.nonce, 'a'.repeat(64));
    peer.send({ ...peer.helloFrame('Mallory', { key }), sig: elsewhere });
    expect(await peer.next('error')).toMatchObject({ code: ErrorCode.BadSignature });
    expect((await peer.closed).code).toBe(CloseCode.IdentityRefused);
    expect(host.info().members).toBe(0);
  });

  it('refuses a hello replayed on another connection: the signature covers that connection’s nonce', async () => {
    const host = await startHost();
    const seen = await RawPeer.connect(host.port);
    const hello = seen.helloFrame('Alice');
    const replaying = await RawPeer.connect(host.port);
    replaying.send(hello);
    expect(await replaying.next('error')).toMatchObject({ code: ErrorCode.BadSignature });
  });

  it('refuses a public key that signs for another (a stolen id is not a stolen key)', async () => {
    const host = await startHost();
    const victim = MemberKey.generate();
    const mallory = MemberKey.generate();
    const peer = await RawPeer.connect(host.port);
    peer.send({ ...peer.helloFrame('Alice', { key: mallory }), pub: victim.pub });
    expect(await peer.next('error')).toMatchObject({ code: ErrorCode.BadSignature });
  });

  it('answers a hello of protocol 2 (a bearer key, no signature) with VERSION_MISMATCH and 4001', async () => {
    const host = await startHost();
    const peer = await RawPeer.connect(host.port);
    peer.send(JSON.stringify({ type: 'hello', v: 2, nick: 'Old', key: 'k'.repeat(24) }));
    const error = await peer.next('error');
    expect(error.code).toBe(ErrorCode.VersionMismatch);
    expect(error.message).toContain(String(PROTOCOL_VERSION));
    expect((await peer.closed).code).toBe(CloseCode.VersionMismatch);
  });

  it('gives a first-contact impostor that relays to the real room nothing: no seat, no history, no passcode', async () => {
    const passcode = 'a long passcode nobody guesses';
    const host = await startHost({ passcode });
    const relay = await startRelay(host.port);

    // Bob has never joined this room: any certificate is accepted, and he meets the relay's.
    const bob = makeClient(relay.port, 'Bob', { passcode });
    const offline = stateOf(bob, 'offline');
    bob.start();
    const [, , reason] = await offline;
    expect(reason).toEqual({ code: ReasonCode.IdentityRefused });
    // The real room saw Bob's hello (relayed) and refused it: nobody was welcomed.
    expect(relay.fromMembers.some((frame) => frame.includes('"type":"hello"'))).toBe(true);
    expect(relay.fromRoom.some((frame) => frame.includes('"type":"welcome"'))).toBe(false);
    expect(relay.fromRoom.some((frame) => frame.includes(ErrorCode.BadSignature))).toBe(true);
    expect(host.info().members).toBe(0);
    // What the relay learned cannot be used at the real room either: Bob's hello, replayed.
    const replay = await RawPeer.connect(host.port);
    replay.send(relay.fromMembers.find((frame) => frame.includes('"type":"hello"'))!);
    expect(await replay.next('error')).toMatchObject({ code: ErrorCode.BadSignature });
  });
});
