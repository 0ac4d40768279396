import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode, LIMITS, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { startHost } from './support/host';
import { allPresent, RawPeer } from './support/RawPeer';

/** A room with two well-behaved members and one that misbehaves. */
async function roomWithMallory() {
  const host = await startHost();
  const alice = await RawPeer.join(host.port, 'Alice');
  const bob = await RawPeer.join(host.port, 'Bob');
  const mallory = await RawPeer.join(host.port, 'Mallory');
  await allPresent(alice, bob, mallory);
  /** Proves the room still works: Bob's message reaches Alice. */
  const stillChatting = async (): Promise<void> => {
    bob.post('still chatting');
    expect((await alice.nextOf('message')).message.text).toBe('still chatting');
  };
  return { host, alice, bob, mallory, stillChatting };
}

describe('RoomHost facing bad input', () => {
  it('answers text that is not JSON with BAD_JSON and keeps serving', async () => {
    const { mallory, stillChatting } = await roomWithMallory();
    mallory.send('{"type":"post",');
    expect(await mallory.next('error')).toMatchObject({ code: ErrorCode.BadJson });
    await stillChatting();
    expect((await mallory.next('message')).message.text).toBe('still chatting');
    const cid = mallory.post('I can still talk');
    expect(await mallory.next('ack')).toMatchObject({ cid });
    expect((await mallory.next('message')).message.text).toBe('I can still talk');
  });

  it('answers an unknown frame type with UNKNOWN_TYPE and keeps serving', async () => {
    const { mallory, stillChatting } = await roomWithMallory();
    mallory.send(JSON.stringify({ type: 'kick', who: 'Alice', cid: 'k1' }));
    expect(await mallory.next('error')).toMatchObject({ code: ErrorCode.UnknownType, cid: 'k1' });
    await stillChatting();
  });

  it('answers fields of the wrong type with BAD_FRAME, echoing the cid', async () => {
    const { mallory, stillChatting } = await roomWithMallory();
    mallory.send(JSON.stringify({ type: 'post', text: { html: '<b>' }, cid: 'c9' }));
    expect(await mallory.next('error')).toMatchObject({ code: ErrorCode.BadFrame, cid: 'c9' });
    await stillChatting();
  });

  it('answers a post without a cid with BAD_FRAME and stores nothing', async () => {
    const { host, mallory, stillChatting } = await roomWithMallory();
    mallory.send(JSON.stringify({ type: 'post', text: 'who am I?' }));
    expect(await mallory.next('error')).toMatchObject({ code: ErrorCode.BadFrame });
    await stillChatting();
    const late = await RawPeer.join(host.port, 'Late');
    expect(late.welcome.history.map((m) => m.text)).toEqual(['still chatting']);
  });

  it('answers a fetch with both before and after with BAD_FRAME and keeps serving', async () => {
    const { mallory, stillChatting } = await roomWithMallory();
    mallory.fetch({ before: 5, after: 1, ref: 'r1' });
    expect(await mallory.next('error')).toMatchObject({ code: ErrorCode.BadFrame });
    await stillChatting();
  });

  it('answers a hello whose public key is not 32 bytes with BAD_FRAME', async () => {
    const host = await startHost();
    const peer = await RawPeer.connect(host.port);
    peer.send({ ...peer.helloFrame('Shorty'), pub: 'short' });
    expect(await peer.next('error')).toMatchObject({ code: ErrorCode.BadFrame });
    peer.hello('Shorty');
    expect((await peer.next('welcome')).you.nick).toBe('Shorty');
  });

  it('answers a fetch before hello with NOT_JOINED', async () => {
    const host = await startHost();
    const early = await RawPeer.connect(host.port);
    early.fetch({ after: 0 });
    expect(await early.next('error')).toMatchObject({ code: ErrorCode.NotJoined });
  });

  it('leaves out a cid that is not a valid id', async () => {
    const { mallory } = await roomWithMallory();
    mallory.send(JSON.stringify({ type: 'post', text: 5, cid: 'x'.repeat(LIMITS.maxIdChars + 1) }));
    expect((await mallory.next('error')).cid).toBeUndefined();
  });

  it('answers text over the limit with TEXT_TOO_LONG and keeps serving', async () => {
    const { mallory, alice, stillChatting } = await roomWithMallory();
    mallory.post('x'.repeat(LIMITS.maxTextChars + 1), { cid: 'long' });
    expect(await mallory.next('error')).toMatchObject({ code: ErrorCode.TextTooLong, cid: 'long' });
    await stillChatting();
    expect(alice.welcome.history).toEqual([]);
  });

  it('answers a binary frame with BINARY_FRAME and keeps serving', async () => {
    const { mallory, stillChatting } = await roomWithMallory();
    mallory.send(Buffer.from(JSON.stringify({ type: 'post', text: 'in binary' })));
    expect(await mallory.next('error')).toMatchObject({ code: ErrorCode.BinaryFrame });
    await stillChatting();
  });

  it('closes a frame over 64 KiB with 1009, and the others see that member dropped', async () => {
    const { mallory, alice, stillChatting } = await roomWithMallory();
    mallory.send('x'.repeat(LIMITS.maxPayloadBytes + 1));
    expect((await mallory.closed).code).toBe(CloseCode.MessageTooBig);
    expect(await alice.next('presence')).toMatchObject({
      left: [{ member: mallory.welcome.you, reason: 'dropped' }],
      count: 2,
    });
    await stillChatting();
  });

  it('answers a post before hello with NOT_JOINED and still accepts the hello after', async () => {
    const host = await startHost();
    const early = await RawPeer.connect(host.port);
    early.post('me first', { cid: 'e1' });
    expect(await early.next('error')).toMatchObject({ code: ErrorCode.NotJoined, cid: 'e1' });
    early.hello('Early');
    expect((await early.next('welcome')).you.nick).toBe('Early');
  });

  it('answers a second hello with ALREADY_JOINED', async () => {
    const { mallory, stillChatting } = await roomWithMallory();
    mallory.hello('Alice');
    expect(await mallory.next('error')).toMatchObject({ code: ErrorCode.AlreadyJoined });
    await stillChatting();
  });

  it('answers another protocol version with VERSION_MISMATCH, then closes with 4001', async () => {
    const host = await startHost();
    const future = await RawPeer.connect(host.port);
    future.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION + 1, nick: 'Future', shiny: true }));
    const error = await future.next('error');
    expect(error.code).toBe(ErrorCode.VersionMismatch);
    expect(error.message).toContain(`protocol ${PROTOCOL_VERSION}`);
    expect((await future.closed).code).toBe(CloseCode.VersionMismatch);
    expect((await RawPeer.join(host.port, 'Present')).welcome.room.members).toBe(1);
  });

  it('refuses a handshake from a web page with 403, and keeps serving', async () => {
    const { host, stillChatting } = await roomWithMallory();
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: host.port,
        rejectUnauthorized: false,
        path: '/',
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': Buffer.alloc(16, 1).toString('base64'),
          Origin: 'http://evil.example',
        },
      });
      req.on('upgrade', () => reject(new Error('the handshake was accepted')));
      req.on('response', (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (chunk: string) => (body += chunk));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(403);
    expect(res.body).toContain('do not accept connections from web pages');
    await stillChatting();
  });

  it('refuses a ws client that sends an Origin, even "null"', async () => {
    const host = await startHost();
    await expect(RawPeer.connect(host.port, { origin: 'null' })).rejects.toThrow(/403/);
    await RawPeer.join(host.port, 'Fine');
  });
});
