import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '../../src/shared/protocol';
import { manualClock, startHost } from './support/host';
import { newKey, RawPeer } from './support/RawPeer';

describe('RoomHost nicknames', () => {
  it('answers a hello whose nickname hides U+2060 with BAD_FRAME naming it, and seats the corrected one', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const mallory = await RawPeer.connect(host.port);
    mallory.hello('Alice\u2060');
    expect(await mallory.next('error')).toMatchObject({
      code: ErrorCode.BadFrame,
      message: 'Invalid "hello" frame: nick: must not contain U+2060, an invisible or formatting character.',
    });
    mallory.hello('Mallory');
    expect((await mallory.next('welcome')).you.nick).toBe('Mallory');
    expect((await alice.next('presence')).joined[0]!.nick).toBe('Mallory');
  });

  it('numbers a look-alike of a member online ("Аlice" with a Cyrillic А)', async () => {
    const host = await startHost();
    await RawPeer.join(host.port, 'Alice');
    expect((await RawPeer.join(host.port, '\u0410lice')).welcome.you.nick).toBe('\u0410lice (2)');
    expect((await RawPeer.join(host.port, 'AIice')).welcome.you.nick).toBe('AIice (3)');
  });

  it('numbers a case variant of a held nickname and keeps its spelling ("alice" beside "Alice" is "alice (2)")', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    expect((await RawPeer.join(host.port, 'alice')).welcome.you.nick).toBe('alice (2)');
    expect((await RawPeer.join(host.port, 'ALICE')).welcome.you.nick).toBe('ALICE (3)');
    expect((await RawPeer.join(host.port, 'ALICE (2)')).welcome.you.nick).toBe('ALICE (2) (2)');
    // The holder may change the case of its own nickname: it is the same name, and its own.
    alice.ws.close(CloseCode.Normal);
    await alice.closed;
    expect((await RawPeer.join(host.port, 'aLiCe', { key: alice.key })).welcome.you.nick).toBe('aLiCe');
  });

  it('keeps an offline member’s nickname from anyone else, and gives it back to that member', async () => {
    const host = await startHost();
    const watcher = await RawPeer.join(host.port, 'Watcher');
    const alice = await RawPeer.join(host.port, 'Alice');
    await watcher.next('presence');
    alice.ws.close(CloseCode.Normal);
    await watcher.next('presence');
    const mallory = await RawPeer.join(host.port, 'Alice');
    expect(mallory.welcome.you.nick).toBe('Alice (2)');
    expect((await RawPeer.join(host.port, 'Alice', { key: alice.key })).welcome.you.nick).toBe('Alice');
  });

  it('frees an offline member’s nickname once its reservation runs out', async () => {
    const clock = manualClock();
    const host = await startHost({ clock: clock.now, nicknames: { reserveMs: 60_000 } });
    const watcher = await RawPeer.join(host.port, 'Watcher');
    const alice = await RawPeer.join(host.port, 'Alice');
    await watcher.next('presence');
    alice.ws.close(CloseCode.Normal);
    await watcher.next('presence');
    clock.advance(60_000);
    expect((await RawPeer.join(host.port, 'Alice')).welcome.you.nick).toBe('Alice');
  });

  it('seats nobody under the headless host’s nickname', async () => {
    const host = await startHost({ hostNick: 'Hana' });
    expect((await RawPeer.join(host.port, 'Hana')).welcome.you.nick).toBe('Hana (2)');
    expect((await RawPeer.join(host.port, 'H\u0430na')).welcome.you.nick).toBe('H\u0430na (3)');
  });

  it('seats only the hosting member under the host’s nickname, even while it is away', async () => {
    const hanaKey = newKey();
    const host = await startHost({ hostNick: 'Hana', hostMemberId: hanaKey.id });
    const mallory = await RawPeer.join(host.port, 'Hana');
    expect(mallory.welcome.you.nick).toBe('Hana (2)');
    const hana = await RawPeer.join(host.port, 'Hana', { key: hanaKey });
    expect(hana.welcome.you.nick).toBe('Hana');
    expect(hana.welcome.room.host).toBe('Hana');
  });
});
