import { describe, expect, it } from 'vitest';
import type { LobbyRoom } from '../../src/shared/api';
import { requireNetnsOrSkip } from '../lan/netns';
import { startLobby, watchLobby } from './support/lobby';
import { scaled, Siege } from './support/siege';

const canRun = requireNetnsOrSkip();

const durationMs = scaled({ short: 6_000, full: 60_000 });

/** What the attacker's mDNS tool needs: its own address and the room's name. */
const mdnsArgs = (s: Siege, mode: string) => [
  ...s.targetArgs(),
  '--mode',
  mode,
  '--me',
  s.lan.machines.attacker!.address,
  '--name',
  'Siege',
];

async function listed(s: Siege) {
  const lobby = await startLobby(s.lan, 'member');
  const real = (rooms: LobbyRoom[]) =>
    rooms.some((r) => r.id === s.host.roomId && r.online && r.fingerprint === s.host.fingerprint);
  await lobby.client.waitFor('lobby', ({ rooms }) => real(rooms), 30_000, 'the real room in the lobby');
  return { lobby, real };
}

describe.skipIf(!canRun)('siege 11: lobbies blinded or weaponised over mDNS', () => {
  it('keeps a live room in the lobby while someone forges its goodbye every 2 s', async () => {
    const s = await Siege.start({ advertise: true });
    const { lobby, real } = await listed(s);
    s.meter.mark();
    const watch = watchLobby(lobby, real);
    const attack = s.run('mdnsSpoof', [
      ...mdnsArgs(s, 'goodbye'),
      '--every-ms',
      '2000',
      '--duration-ms',
      String(durationMs),
      '--max-ms',
      String(durationMs + 20_000),
    ]);
    const done = await attack.next<{ sent: number }>('done', durationMs + 20_000);
    const seen = watch.stop();
    const checks = [
      {
        what: `the room never left the lobby (${seen.unhealthy} of ${seen.updates} lobby updates without it, first after ${seen.firstUnhealthyMs} ms)`,
        ok: seen.unhealthy === 0,
      },
    ];
    s.report(
      {
        attack: '11a mDNS goodbye spoof',
        holds: 'a forged goodbye every 2 s never removes a live room from a lobby',
        measured: `${done.sent} forged goodbyes: room missing in ${seen.unhealthy} of ${seen.updates} lobby updates`,
        figures: { done, seen },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });

  it('keeps the real room, its fingerprint and its trust when another service announces its id with another certificate', async () => {
    const s = await Siege.start({ advertise: true });
    const { lobby } = await listed(s);
    // Joined once: the member has pinned the real certificate, the lure is "certificate changed".
    await lobby.client.send('room:join', { roomId: s.host.roomId });
    await lobby.client.waitFor('session', ({ session }) => session?.state === 'online', 20_000, 'joined');
    await lobby.client.send('room:leave', { roomId: lobby.client.roomId });
    const intact = (rooms: LobbyRoom[]) =>
      rooms.some(
        (r) =>
          r.id === s.host.roomId && r.online && r.fingerprint === s.host.fingerprint && r.trust === 'trusted',
      ) && !rooms.some((r) => r.id === s.host.roomId && r.trust === 'changed');
    await lobby.client.waitFor(
      'lobby',
      ({ rooms }) => intact(rooms),
      20_000,
      'the trusted room in the lobby',
    );
    s.meter.mark();
    const watch = watchLobby(lobby, intact);
    const attack = s.run('mdnsSpoof', [
      ...mdnsArgs(s, 'bogus-fp'),
      '--every-ms',
      '2000',
      '--duration-ms',
      String(durationMs),
      '--max-ms',
      String(durationMs + 20_000),
    ]);
    const { fingerprint: impostor } = await attack.next<{ fingerprint: string }>('engaged', 20_000);
    // The witness that the forgery reached the lobby: it shows the impostor's fingerprint somewhere.
    const noticed = lobby.client
      .waitFor(
        'lobby',
        ({ rooms }) => rooms.some((r) => r.fingerprint === impostor),
        durationMs,
        'the impostor in the lobby',
      )
      .then(
        () => true,
        () => false,
      );
    const done = await attack.next<{ sent: number }>('done', durationMs + 20_000);
    const seen = watch.stop();
    const reached = await noticed;
    const checks = [
      {
        what: `the impostor's announcement reached the lobby (its fingerprint was listed: ${reached})`,
        ok: reached,
      },
      {
        what: `the lobby kept the real room trusted with its fingerprint and never said "changed" (${seen.unhealthy} of ${seen.updates} updates otherwise, first after ${seen.firstUnhealthyMs} ms)`,
        ok: seen.unhealthy === 0,
      },
    ];
    s.report(
      {
        attack: '11b mDNS same id, other fingerprint',
        holds:
          'a same-id advertisement with another fingerprint neither replaces the room nor marks it "certificate changed"',
        measured: `${done.sent} impostor announcements: lobby wrong in ${seen.unhealthy} of ${seen.updates} updates`,
        figures: { done, seen },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });

  it('does not let 300 fake rooms aim a lobby at a victim address', async () => {
    const s = await Siege.start({ advertise: true, machines: ['victim'] });
    const victim = s.lan.machines.victim!.address;
    const listener = s.run(
      'victimListener',
      ['--port', '7443', '--me', victim, '--max-ms', String(durationMs + 60_000)],
      'victim',
    );
    await listener.next('engaged', 20_000);
    await listed(s);
    s.meter.mark();
    const started = performance.now();
    const attack = s.run('mdnsSpoof', [
      ...mdnsArgs(s, 'fakes'),
      '--count',
      '300',
      '--victim',
      victim,
      '--victim-port',
      '7443',
      '--every-ms',
      '2000',
      '--duration-ms',
      String(durationMs),
      '--max-ms',
      String(durationMs + 20_000),
    ]);
    await attack.next('done', durationMs + 20_000);
    listener.child.kill('SIGTERM');
    const hit = await listener.next<{ connections: number }>('done', 10_000);
    const seconds = (performance.now() - started) / 1000;
    // One lobby may try an address now and then; 2 a second (plus a first burst of 10) is generous.
    const allowed = Math.ceil(2 * seconds + 10);
    const checks = [
      // None at all would mean the fake rooms never reached the lobby: the siege measured nothing.
      {
        what: `the fake rooms reached the lobby (it tried the victim ${hit.connections} times)`,
        ok: hit.connections >= 1,
      },
      {
        what: `the victim got at most ${allowed} connections in ${seconds.toFixed(1)} s from one lobby (got ${hit.connections})`,
        ok: hit.connections <= allowed,
      },
    ];
    s.report(
      {
        attack: '11c mDNS fake rooms at a victim',
        holds: '300 fake rooms pointing at a victim make one lobby open at most 2 connections/s (+10) to it',
        measured: `${hit.connections} connections at the victim in ${seconds.toFixed(1)} s (${(hit.connections / seconds).toFixed(1)}/s)`,
        figures: { hit, seconds },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });
});
