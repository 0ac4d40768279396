import { describe, expect, it } from 'vitest';
import type { RoomClient } from '../../src/core/client/RoomClient';
import { MemberDatabase } from '../../src/core/store/member/MemberDatabase';
import { makeClient, until } from './support/client';
import { tempDataDir } from './support/dataDir';
import { FakeRoom } from './support/fakeHost';

const ROOM = 'fake-room';

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

describe('RoomClient with the member database across an app restart', () => {
  it('delivers posts left unacknowledged when the app quit, each exactly once, after it starts again', async () => {
    const dir = tempDataDir();
    const room = await FakeRoom.start();
    // While the first app runs, one post is stored but its ack is lost and one is lost outright.
    room.verdict = (post) =>
      room.hellos.length > 1 ? 'store' : post.text === 'stored, ack lost' ? 'store-quietly' : 'swallow';

    const firstRun = MemberDatabase.open(dir);
    const first = appClient(room.port, firstRun);
    first.start();
    await until(first, 'state', () => first.state === 'online');
    first.post('stored, ack lost');
    first.post('lost on the way');
    await until(room, 'frame', () => room.frames.length === 2);
    await first.close();
    firstRun.close();

    const secondRun = MemberDatabase.open(dir);
    expect(
      secondRun
        .outbox(ROOM)
        .list()
        .map((p) => p.text),
    ).toEqual(['stored, ack lost', 'lost on the way']);
    const second = appClient(room.port, secondRun);
    const acks: string[] = [];
    second.on('ack', (cid) => acks.push(cid));
    second.start();
    await until(second, 'ack', () => acks.length === 2);
    expect(room.messages.map((m) => m.text)).toEqual(['stored, ack lost', 'lost on the way']);
    expect(room.hellos.map((h) => h.pub)).toEqual([room.hellos[0]!.pub, room.hellos[0]!.pub]);
    expect(secondRun.outbox(ROOM).list()).toEqual([]);
    await second.close();
    secondRun.close();

    const thirdRun = MemberDatabase.open(dir);
    expect(thirdRun.outbox(ROOM).list()).toEqual([]);
    thirdRun.close();
  });

  it('asks the host to continue from the last message saved before the app quit', async () => {
    const dir = tempDataDir();
    const room = await FakeRoom.start();
    for (let i = 1; i <= 3; i++) room.say(`before ${i}`);

    const firstRun = MemberDatabase.open(dir);
    const first = appClient(room.port, firstRun);
    first.start();
    await until(first, 'backlog', () => firstRun.lastSeq(ROOM) === 3);
    await first.close();
    firstRun.close();
    room.say('while the app was closed');

    const secondRun = MemberDatabase.open(dir);
    const second = appClient(room.port, secondRun);
    second.start();
    await until(second, 'backlog', () => secondRun.lastSeq(ROOM) === 4);
    expect(room.hellos.map((h) => h.since)).toEqual([undefined, 3]);
    expect(secondRun.messages(ROOM).map((m) => m.text)).toEqual([
      'before 1',
      'before 2',
      'before 3',
      'while the app was closed',
    ]);
    await second.close();
    secondRun.close();
  });
});
