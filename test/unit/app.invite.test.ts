/**
 * Invite links end to end in the core: a room's link, opened by another app, checked pinned to
 * the link's certificate from the first byte and joined only when the user says.
 */
import { describe, expect, it } from 'vitest';
import type { ChatApp } from '../../src/core/ChatApp';
import { formatInvite, parseInvite } from '../../src/core/invite/inviteLink';
import type { EventPayload } from '../../src/shared/api';
import { hostRoom, joinAddress, makeApp, next, send, waitOnline, type AddressCheck } from './support/apps';

/** Alice hosts Office; her invite carries loopback as this machine's LAN address (unit tests stay on it). */
async function aliceHostsOffice() {
  const alice = makeApp('Alice', undefined, { lanAddresses: () => ['127.0.0.1'] });
  const office = await hostRoom(alice, 'Office');
  const { link } = await send<{ link: string }>(alice, 'room:invite', { roomId: office.id });
  return { alice, office, link };
}

type Checked = AddressCheck & { address: string; invite: boolean };

describe('invite links in the app', () => {
  it("carries the hosted room's id, name, address, certificate and passcode flag, never the passcode", async () => {
    const alice = makeApp('Alice', undefined, { lanAddresses: () => ['127.0.0.1', '10.1.2.3'] });
    const room: { id: string } = await send(alice, 'room:host', {
      name: 'Office',
      passcode: 'correct horse battery',
    });
    await waitOnline(alice, room.id);
    const { link } = await send<{ link: string }>(alice, 'room:invite', { roomId: room.id });
    const hosting = alice.snapshot().hosting.find((h) => h.id === room.id)!;
    const port = alice.snapshot().lobby.find((r) => r.id === room.id)!.endpoints[0]!.port;

    expect(parseInvite(link)).toEqual({
      roomId: room.id,
      name: 'Office',
      host: 'Alice',
      endpoints: [
        { host: '127.0.0.1', port },
        { host: '10.1.2.3', port },
      ],
      fingerprint: alice.snapshot().lobby.find((r) => r.id === room.id)!.fingerprint,
      passcode: true,
    });
    expect(hosting.code).toBe(alice.snapshot().lobby.find((r) => r.id === room.id)!.code);
    expect(link).not.toContain('horse');
  });

  it('is checked pinned to its certificate, then joined only by the join the user confirms', async () => {
    const { alice, office, link } = await aliceHostsOffice();
    const bob = makeApp('Bob');

    const checked = await send<Checked>(bob, 'room:check-address', { address: link });
    expect(checked).toMatchObject({ invite: true, trust: 'new', room: { id: office.id, name: 'Office' } });
    expect(checked.fingerprint).toBe(parseInvite(link).fingerprint);
    // Checking joined nothing.
    expect(bob.snapshot().sessions).toEqual([]);

    const bobArrives = next(alice, 'presence', (p) => p.joined.some((m) => m.nick === 'Bob'));
    await send(bob, 'room:trust', { roomId: office.id, fingerprint: checked.fingerprint });
    await send(bob, 'room:join-address', { address: checked.address, fingerprint: checked.fingerprint });
    await waitOnline(bob, office.id);
    await bobArrives;
    expect(bob.snapshot().lobby.find((r) => r.id === office.id)).toMatchObject({ verified: true });
  });

  it('refuses a link whose certificate is not the one the address presents, before any request', async () => {
    const { office, link } = await aliceHostsOffice();
    const bob = makeApp('Bob');
    const forged = formatInvite({ ...parseInvite(link), fingerprint: 'e'.repeat(64) });
    await expect(send(bob, 'room:check-address', { address: forged })).rejects.toMatchObject({
      code: 'CERT_CHANGED',
    });
    expect(bob.snapshot().sessions).toEqual([]);
    expect(bob.snapshot().lobby.some((r) => r.id === office.id)).toBe(false);
  });

  it('refuses a link naming another room than the one at its address', async () => {
    const { link } = await aliceHostsOffice();
    const bob = makeApp('Bob');
    const wrongRoom = formatInvite({ ...parseInvite(link), roomId: 'some-other-room' });
    await expect(send(bob, 'room:check-address', { address: wrongRoom })).rejects.toMatchObject({
      code: 'NO_SUCH_ROOM',
    });
  });

  it('answers a malformed link with BAD_INVITE, asking no address', async () => {
    const bob = makeApp('Bob');
    await expect(
      send(bob, 'room:check-address', { address: 'parley://join?room=x&at=127.0.0.1:1&fp=zz' }),
    ).rejects.toMatchObject({ code: 'BAD_INVITE' });
  });

  it('tells the window of a link the shell was handed, or of what is wrong with it, joining nothing', async () => {
    const { office, link } = await aliceHostsOffice();
    const bob = makeApp('Bob');
    const told: EventPayload<'invite'>[] = [];
    const heard = next(bob, 'invite', () => true);
    bob.on('invite', (p) => told.push(p));

    bob.openLink(link);
    await heard;
    bob.openLink('parley://join?room=x');

    expect(told).toEqual([
      { link, room: { id: office.id, name: 'Office', host: 'Alice', passcode: false } },
      { link: 'parley://join?room=x', fault: 'name' },
    ]);
    expect(bob.snapshot().sessions).toEqual([]);
  });

  it("makes a member's link from the addresses the room was found at, never loopback", async () => {
    const { office } = await aliceHostsOffice();
    const bob: ChatApp = makeApp('Bob');
    await joinAddress(bob, office.port);
    await waitOnline(bob, office.id);
    // Bob reached the room at 127.0.0.1 only: nobody else could use that.
    await expect(send(bob, 'room:invite', { roomId: office.id })).rejects.toMatchObject({
      code: 'NO_ADDRESS',
    });
  });
});
