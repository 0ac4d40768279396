import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/shared/protocol';
import { startHost } from './support/host';
import { RawPeer } from './support/RawPeer';

describe('RoomHost statuses', () => {
  it('tells the others a member is away or busy in the next presence frame, and back without a status', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    await alice.next('presence');

    bob.send({ type: 'status', status: 'away' });
    expect(await alice.next('presence')).toEqual({
      type: 'presence',
      joined: [{ ...bob.welcome.you, status: 'away' }],
      left: [],
      count: 2,
    });
    bob.send({ type: 'status', status: 'busy' });
    expect((await alice.next('presence')).joined).toEqual([{ ...bob.welcome.you, status: 'busy' }]);
    bob.send({ type: 'status', status: 'active' });
    expect((await alice.next('presence')).joined).toEqual([bob.welcome.you]);
  });

  it('lists statuses in a newcomer’s roster, each member in its join order still', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    await alice.next('presence');
    alice.send({ type: 'status', status: 'busy' });
    await bob.next('presence');

    const carol = await RawPeer.join(host.port, 'Carol');
    // Alice changed her status after Bob joined, and is still listed before him.
    expect(carol.roster).toEqual([{ ...alice.welcome.you, status: 'busy' }, bob.welcome.you]);
  });

  it('says nothing when a member repeats the status it has', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    await alice.next('presence');
    bob.send({ type: 'status', status: 'active' });
    bob.send({ type: 'status', status: 'away' });
    bob.send({ type: 'status', status: 'away' });
    // One frame for the one real change, then the post that follows it: nothing in between.
    expect((await alice.next('presence')).joined).toEqual([{ ...bob.welcome.you, status: 'away' }]);
    bob.post('after');
    expect((await alice.next('message')).message.text).toBe('after');
  });

  it(`answers a status beyond ${LIMITS.statusBurst} at once RATE_LIMITED, and does not take it`, async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    await alice.next('presence');
    const flips = ['away', 'active', 'away', 'active', 'away', 'busy'] as const;
    for (const status of flips) bob.send({ type: 'status', status });
    const refused = await bob.nextOf('error');
    expect(refused).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.cid).toBeUndefined();
    expect(refused.ref).toBeUndefined();
    // A post makes the host tell what changed first: the last status taken (the fifth) is what
    // the room hears, away, never busy.
    bob.post('after');
    const heard: string[] = [];
    for (;;) {
      const frame = await alice.next();
      if (frame.type === 'message') break;
      if (frame.type === 'presence') for (const m of frame.joined) heard.push(m.status ?? 'active');
    }
    expect(heard.at(-1)).toBe('away');
    expect(heard).not.toContain('busy');
  });

  it('refuses a status that is not one, and one before the hello', async () => {
    const host = await startHost();
    const bob = await RawPeer.join(host.port, 'Bob');
    bob.send(JSON.stringify({ type: 'status', status: 'invisible' }));
    expect(await bob.nextOf('error')).toMatchObject({ code: 'BAD_FRAME' });
    const early = await RawPeer.connect(host.port);
    early.send({ type: 'status', status: 'away' });
    expect(await early.nextOf('error')).toMatchObject({ code: 'NOT_JOINED' });
  });

  it('starts a member that takes its seat back active, and says so if it was away', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    await alice.next('presence');
    bob.send({ type: 'status', status: 'away' });
    expect((await alice.next('presence')).joined).toEqual([{ ...bob.welcome.you, status: 'away' }]);
    // The same key again, while the old connection is still open: a takeover, not a rejoin.
    await RawPeer.join(host.port, 'Bob', { key: bob.key });
    expect(await alice.next('presence')).toEqual({
      type: 'presence',
      joined: [bob.welcome.you],
      left: [],
      count: 2,
    });
  });
});
