import { describe, expect, it } from 'vitest';
import type { RoomClient } from '../../src/core/client/RoomClient';
import { MemberDatabase } from '../../src/core/store/member/MemberDatabase';
import { joinClient, makeClient, nextEvent, stateOf, until } from './support/client';
import { tempDataDir } from './support/dataDir';
import { startHost } from './support/host';
import { Relay } from './support/net';

const ROOM = 'integration-room';

/** A client as the app makes one: key, outbox and since from the member database. */
function appClient(port: number, store: MemberDatabase): RoomClient {
  const client = makeClient(port, 'Alice', {
    key: store.memberKey(ROOM),
    outbox: store.outbox(ROOM),
    since: () => store.lastSeq(ROOM),
  });
  client.on('backlog', (messages) => store.saveMessages(ROOM, messages));
  client.on('message', (message) => store.saveMessages(ROOM, [message]));
  return client;
}

describe('RoomClient and the real RoomHost', () => {
  it('delivers what a client left unacknowledged when the app quit exactly once after a restart', async () => {
    const host = await startHost({ roomId: ROOM });
    const { relay, port: relayPort } = await Relay.start(host.port);
    const watcher = await joinClient(host.port, 'Watcher');
    const seen: string[] = [];
    watcher.on('message', (m) => seen.push(m.text));
    const dir = tempDataDir();

    // First run: the host stores two posts, but their acks never make it back; a third post
    // is made after the link died and never leaves the machine.
    const firstRun = MemberDatabase.open(dir);
    const first = appClient(relayPort, firstRun);
    first.start();
    await stateOf(first, 'online');
    const firstId = first.me?.id;
    relay.holdReplies();
    first.post('stored, ack lost 1');
    first.post('stored, ack lost 2');
    await until(watcher, 'message', () => seen.length === 2);
    const dropped = stateOf(first, 'reconnecting');
    relay.cut();
    await dropped;
    first.post('never sent');
    expect(first.pending().map((p) => p.text)).toEqual([
      'stored, ack lost 1',
      'stored, ack lost 2',
      'never sent',
    ]);
    await first.close();
    firstRun.close();

    // Second run: the outbox comes back from disk and everything in it goes out again.
    const secondRun = MemberDatabase.open(dir);
    const second = appClient(host.port, secondRun);
    const acks: string[] = [];
    second.on('ack', (cid) => acks.push(cid));
    second.start();
    await until(second, 'ack', () => acks.length === 3);
    await until(watcher, 'message', () => seen.length >= 3);
    expect(second.me?.id).toBe(firstId);
    expect(second.me?.id).toBe(secondRun.memberKey(ROOM).id);
    expect(secondRun.outbox(ROOM).list()).toEqual([]);

    // Everyone, including a member who joins only now, has each post exactly once.
    const late = makeClient(host.port, 'Late');
    const backlog = nextEvent(late, 'backlog');
    late.start();
    const expected = ['stored, ack lost 1', 'stored, ack lost 2', 'never sent'];
    expect((await backlog)[0].map((m) => m.text)).toEqual(expected);
    expect(seen).toEqual(expected);
    await second.close();
    secondRun.close();
  });
  it('asks again, quietly, for history the host refused as asked too fast', async () => {
    const host = await startHost({ roomId: ROOM, limits: { fetchBurst: 1, fetchesPerSecond: 2 } });
    const client = await joinClient(host.port, 'Alice');
    const problems: string[] = [];
    client.on('problem', (p) => problems.push(p.code));
    client.post('one');
    await nextEvent(client, 'ack');
    // The first fetch spends the only token; the second is refused, then asked again.
    const [first, second] = await Promise.all([client.fetchEarlier(2), client.fetchEarlier(2)]);
    expect(first.messages.map((m) => m.text)).toEqual(['one']);
    expect(second.messages.map((m) => m.text)).toEqual(['one']);
    expect(problems).toEqual([]);
  });
});
