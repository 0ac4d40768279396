import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../support/agents';
import { exited, startHeadlessHost, type HeadlessHost } from '../support/headlessHost';
import { createLan, requireNetnsOrSkip, type Lan } from './netns';

const canRun = requireNetnsOrSkip();

describe.skipIf(!canRun)('nobody is stranded: a restarted host listens where it did', () => {
  let lan: Lan;
  let dataDir: string;
  const agents: RunningAgent[] = [];
  const hosts: HeadlessHost[] = [];

  beforeEach(async () => {
    lan = await createLan(['alice', 'bob']);
    dataDir = mkdtempSync(join(tmpdir(), 'parley-restart-'));
  });
  afterEach(async () => {
    for (const h of hosts.splice(0)) if (h.child.exitCode === null) h.child.kill('SIGKILL');
    await Promise.all(agents.splice(0).map((a) => a.dispose()));
    await lan.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const agent = async (machine: string, nick: string, opts: { dataDir?: string } = {}) => {
    // Without mDNS: the member can only ever find the room at the address it was given.
    const a = await startAgent(lan, machine, nick, { discovery: false, ...opts });
    agents.push(a);
    return a;
  };
  const joinByAddress = async (member: RunningAgent, address: string) => {
    const seen = await member.client.send('room:check-address', { address });
    await member.client.send('room:join-address', { address, fingerprint: seen.fingerprint });
    await member.client.waitFor('session', ({ session }) => session?.state === 'online', 20_000, 'joined');
  };
  const backAndChatting = async (member: RunningAgent, text: string) => {
    await member.client.waitFor('session', ({ session }) => session?.state === 'online', 30_000, 'back');
    const { cid } = await member.client.send('chat:send', { roomId: member.client.roomId, text });
    await member.client.waitUntil(() => member.client.acked.has(cid), 20_000, 'acked after the restart');
  };

  it('brings back a member who joined by address when the headless host restarts without --port', async () => {
    const start = async () => {
      const h = await startHeadlessHost(lan, 'alice', ['--name', 'Office', '--data', dataDir]);
      hosts.push(h);
      return h;
    };
    const first = await start();
    const bob = await agent('bob', 'Bob');
    await joinByAddress(bob, `${lan.machines.alice!.address}:${first.port}`);

    first.child.kill('SIGKILL');
    await exited(first.child);
    await bob.client.waitFor('session', ({ session }) => session?.state !== 'online', 20_000, 'host gone');

    const second = await start();
    expect(second.port).toBe(first.port);
    expect(second.roomId).toBe(first.roomId);
    await backAndChatting(bob, 'still here');
  });

  it('brings back a member who joined by address when the hosting app restarts and hosts the room again', async () => {
    const hostRoom = async (alice: RunningAgent) => {
      await alice.client.send('room:host', { name: 'Office' });
      const hosting = (await alice.client.send('app:snapshot', {})).hosting[0]!;
      const address = hosting.addresses.find((a) => a.startsWith(`${lan.machines.alice!.address}:`))!;
      return address;
    };
    const alice = await agent('alice', 'Alice', { dataDir });
    const address = await hostRoom(alice);
    const bob = await agent('bob', 'Bob');
    await joinByAddress(bob, address);

    await alice.dispose();
    await bob.client.waitFor('session', ({ session }) => session?.state !== 'online', 20_000, 'host gone');

    const restarted = await agent('alice', 'Alice', { dataDir });
    expect(await hostRoom(restarted)).toBe(address);
    await backAndChatting(bob, 'still here');
  });

  it('brings back members who joined by mDNS and by address when the hosting app restarts', async () => {
    // Alice and Bob announce and browse; Carol (on Bob's machine) knows only the address.
    const withDiscovery = async (machine: string, nick: string, opts: { dataDir?: string } = {}) => {
      const a = await startAgent(lan, machine, nick, opts);
      agents.push(a);
      return a;
    };
    const alice = await withDiscovery('alice', 'Alice', { dataDir });
    const bob = await withDiscovery('bob', 'Bob');
    const { id } = await alice.client.send('room:host', { name: 'Office' });
    const address = (await alice.client.send('app:snapshot', {})).hosting[0]!.addresses.find((a) =>
      a.startsWith(`${lan.machines.alice!.address}:`),
    )!;
    await bob.client.waitFor(
      'lobby',
      ({ rooms }) => rooms.some((r) => r.id === id && r.online),
      20_000,
      'listed',
    );
    await bob.client.send('room:join', { roomId: id });
    await bob.client.waitFor('session', ({ session }) => session?.state === 'online', 20_000, 'bob joined');
    const carol = await agent('bob', 'Carol');
    await joinByAddress(carol, address);

    await alice.dispose();
    await Promise.all(
      [bob, carol].map((m) =>
        m.client.waitFor('session', ({ session }) => session?.state !== 'online', 20_000, 'host gone'),
      ),
    );

    const restarted = await withDiscovery('alice', 'Alice', { dataDir });
    await restarted.client.send('room:host', { name: 'Office' });
    await Promise.all([backAndChatting(bob, 'back by mDNS'), backAndChatting(carol, 'back by address')]);
  });
});
