import { describe, expect, it } from 'vitest';
import { requireNetnsOrSkip } from '../lan/netns';
import { startAgent } from '../support/agents';
import { startLobby } from './support/lobby';
import { Siege } from './support/siege';
import { onTestFinished } from 'vitest';

const canRun = requireNetnsOrSkip();

const PASSCODE = 'relay-me-if-you-can';

type Relayed = {
  victimConnections: number;
  hellos: number;
  hellosWithKey: number;
  welcomes: number;
  refusals: Record<string, number>;
};

describe.skipIf(!canRun)('siege 3: a first-contact impostor that relays', () => {
  it('does not welcome a member relayed by an impostor that the lobby offered under the real room id', async () => {
    const s = await Siege.start({ advertise: true, hostArgs: ['--passcode', PASSCODE] });
    const lobby = await startLobby(s.lan, 'member');
    await lobby.client.waitFor(
      'lobby',
      ({ rooms }) => rooms.some((r) => r.id === s.host.roomId && r.fingerprint === s.host.fingerprint),
      30_000,
      'the real room',
    );
    s.meter.mark();
    const impostor = s.run('impostorRelay', [
      ...s.targetArgs(),
      '--me',
      s.lan.machines.attacker!.address,
      '--advertise',
      '--max-ms',
      '90000',
    ]);
    const { fingerprint } = await impostor.next<{ fingerprint: string }>('engaged', 30_000);
    const noticed = await lobby.client
      .waitFor(
        'lobby',
        ({ rooms }) => rooms.some((r) => r.fingerprint === fingerprint),
        15_000,
        'the impostor',
      )
      .then(
        () => true,
        () => false,
      );
    // First contact: the member has never joined this room, and joins it from the lobby by id.
    await lobby.client.send('room:join', { roomId: s.host.roomId, passcode: PASSCODE });
    const session = await lobby.client
      .waitFor('session', ({ session }) => session?.state === 'online', 15_000, 'online')
      .then(
        (p) => p.session,
        () => null,
      );
    impostor.child.kill('SIGTERM');
    const relayed = await impostor.next<Relayed>('done', 15_000);
    const checks = [
      { what: `the impostor's advertisement reached the lobby (${noticed})`, ok: noticed },
      {
        what: `the real host welcomed no member the impostor relayed (${relayed.welcomes} welcomed of ${relayed.victimConnections} relayed connections)`,
        ok: relayed.welcomes === 0,
      },
    ];
    s.report(
      {
        attack: '3a impostor relay, from the lobby',
        holds:
          'an impostor announcing the real room id with its own certificate and relaying to the real host gets no relayed member welcomed (passcode room)',
        measured: `member reached the impostor ${relayed.victimConnections} times, ${relayed.hellosWithKey} hellos carried the member key, real host welcomed ${relayed.welcomes} relayed; member ended ${session ? `online via ${session.address}` : 'not online'}`,
        figures: { noticed, relayed, session: session && { address: session.address, state: session.state } },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });

  it('does not welcome a member relayed by an impostor at an address the member typed', async () => {
    const s = await Siege.start({ hostArgs: ['--passcode', PASSCODE] });
    const victim = await startAgent(s.lan, 'member', 'Victim', { discovery: false });
    onTestFinished(() => victim.dispose());
    s.meter.mark();
    const impostor = s.run('impostorRelay', [
      ...s.targetArgs(),
      '--me',
      s.lan.machines.attacker!.address,
      '--max-ms',
      '90000',
    ]);
    const { port, fingerprint } = await impostor.next<{ port: number; fingerprint: string }>(
      'engaged',
      30_000,
    );
    const address = `${s.lan.machines.attacker!.address}:${port}`;
    // The member checks the address, sees the real room's name and id (and a code it does not compare), and joins.
    const checked = await victim.client.send('room:check-address', { address });
    await victim.client.send('room:join-address', {
      address,
      fingerprint: checked.fingerprint,
      passcode: PASSCODE,
    });
    const session = await victim.client
      .waitFor('session', ({ session }) => session?.state === 'online', 15_000, 'online')
      .then(
        (p) => p.session,
        () => null,
      );
    impostor.child.kill('SIGTERM');
    const relayed = await impostor.next<Relayed>('done', 15_000);
    const checks = [
      {
        what: `the member's connection reached the impostor (${relayed.victimConnections}; it showed the real room id: ${checked.room.id === s.host.roomId}, its own certificate: ${checked.fingerprint === fingerprint})`,
        ok: relayed.victimConnections > 0,
      },
      {
        what: `the real host welcomed no member the impostor relayed (${relayed.welcomes} welcomed, refusals ${JSON.stringify(relayed.refusals)})`,
        ok: relayed.welcomes === 0,
      },
    ];
    s.report(
      {
        attack: '3b impostor relay, typed address',
        holds:
          'a member who joins an impostor by address (not comparing codes) is not welcomed by the real host through the relay (passcode room)',
        measured: `${relayed.hellos} hellos relayed (${relayed.hellosWithKey} with the member key), real host welcomed ${relayed.welcomes}; member ended ${session ? 'online' : 'not online'}`,
        figures: { relayed, session: session && { address: session.address, state: session.state } },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });

  it('does not let an impostor log in as a member by replaying the hello it relayed once (open room)', async () => {
    const s = await Siege.start();
    const victim = await startAgent(s.lan, 'member', 'Victim', { discovery: false });
    onTestFinished(() => victim.dispose());
    s.meter.mark();
    const impostor = s.run('impostorRelay', [
      ...s.targetArgs(),
      '--me',
      s.lan.machines.attacker!.address,
      '--replay',
      '--max-ms',
      '90000',
    ]);
    const { port } = await impostor.next<{ port: number }>('engaged', 30_000);
    const address = `${s.lan.machines.attacker!.address}:${port}`;
    const checked = await victim.client.send('room:check-address', { address });
    await victim.client.send('room:join-address', { address, fingerprint: checked.fingerprint });
    const joined = await victim.client
      .waitFor('session', ({ session }) => session?.state === 'online', 15_000, 'online')
      .then(
        () => true,
        () => false,
      );
    // The member leaves; the impostor keeps what it saw.
    await victim.client.send('room:leave', { roomId: victim.client.roomId });
    const replay = await impostor
      .next<{ outcome: string; sameMember: boolean }>('replayed', 20_000)
      .catch(() => null);
    impostor.child.kill('SIGTERM');
    const relayed = await impostor.next<Relayed>('done', 15_000);
    const checks = [
      {
        what: `the member joined through the impostor and left (online: ${joined}, ${relayed.hellos} hello captured)`,
        ok: relayed.hellos > 0,
      },
      {
        what: `the replayed hello does not log the impostor in as that member (${replay ? `${replay.outcome}, same member: ${replay.sameMember}` : 'no replay'})`,
        ok: replay !== null && !replay.sameMember,
      },
    ];
    s.report(
      {
        attack: '3c impostor replays a hello',
        holds:
          "an impostor that relayed a member's hello once cannot log in as that member with it afterwards (open room)",
        measured: `replay of the captured hello: ${replay ? replay.outcome : 'none'}${replay?.sameMember ? ', welcomed as the member' : ''}`,
        figures: { joined, relayed, replay },
      },
      checks,
    );
    for (const c of checks) expect(c.ok, c.what).toBe(true);
  });
});
