import { execFile, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Discovery, type DiscoveredRoom } from '../../src/core/discovery/Discovery';
import { PROBE_BUDGET_DEFAULTS } from '../../src/core/discovery/ProbeBudget';
import { instanceName } from '../../src/core/discovery/txt';
import { lobbyRooms } from '../../src/core/lobby';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { createLan, jsonLines, requireNetnsOrSkip, waitForLine, type Lan, type Line } from './netns';

const run = promisify(execFile);
const canRun = requireNetnsOrSkip();
const FIXTURES = resolve(import.meta.dirname, 'fixtures');

type RoomsLine = Line & { event: 'rooms'; rooms: DiscoveredRoom[]; at: number };
const isRooms = (line: Line): line is RoomsLine => line.event === 'rooms';
const roomIn = (line: Line, id: string) => (isRooms(line) ? line.rooms.find((r) => r.id === id) : undefined);

describe.skipIf(!canRun)('LAN discovery between simulated machines', () => {
  let lan: Lan;

  beforeEach(async () => {
    lan = await createLan(['alice', 'bob']);
  });
  afterEach(async () => {
    await lan.destroy();
  });

  const fixture = (machine: string, script: string, args: string[] = []): ChildProcess =>
    lan.spawn(machine, process.execPath, ['--import', 'tsx', resolve(FIXTURES, script), ...args]);

  async function advertise(
    machine: string,
    room: { id: string; name: string; host: string; members: number },
  ) {
    const child = fixture(machine, 'advertise.ts', [
      ...['--id', room.id, '--name', room.name, '--host', room.host, '--members', String(room.members)],
    ]);
    const { port, fingerprint } = await waitForLine<Line & { port: number; fingerprint: string }>(
      child,
      (l) => l.event === 'listening',
      20_000,
      'listening',
    );
    return { child, port, fingerprint };
  }

  async function browse(machine: string, opts: { probeIntervalMs?: number } = {}) {
    const args = opts.probeIntervalMs ? ['--probe-interval', String(opts.probeIntervalMs)] : [];
    const child = fixture(machine, 'browse.ts', args);
    await waitForLine(child, (l) => l.event === 'browsing', 20_000, 'browsing');
    return child;
  }

  const listed = (browser: ChildProcess, id: string, what = `${id} listed`, timeoutMs = 20_000) =>
    waitForLine<RoomsLine>(browser, (l) => !!roomIn(l, id), timeoutMs, what);
  const unlisted = (browser: ChildProcess, id: string, what: string, timeoutMs = 20_000) =>
    waitForLine<RoomsLine>(browser, (l) => isRooms(l) && !roomIn(l, id), timeoutMs, what);

  it("lists a room advertised on one machine in another machine's lobby, with its name, host, member count and the host's LAN address first", async () => {
    const browser = await browse('bob');
    const t0 = performance.now();
    const { port, fingerprint } = await advertise('alice', {
      id: 'room-garden',
      name: 'Garden',
      host: 'Alice',
      members: 2,
    });
    const line = await listed(browser, 'room-garden');
    console.log(`[discovery] a new room reached the other lobby in ${Math.round(performance.now() - t0)} ms`);

    expect(roomIn(line, 'room-garden')).toEqual({
      id: 'room-garden',
      name: 'Garden',
      host: 'Alice',
      members: 2,
      v: PROTOCOL_VERSION,
      fingerprint,
      suspect: false,
      endpoints: [{ host: lan.machines.alice!.address, port }],
    });
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists a room that was already up before the browser started, by re-querying when the first queries are lost', async () => {
    const { port } = await advertise('alice', { id: 'room-early', name: 'Early', host: 'Alice', members: 0 });
    // Everything Bob sends is dropped while his browser starts (a tbf qdisc drops every packet
    // bigger than its 1-byte bucket), so its start query and first re-query reach nobody.
    const bob = lan.machines.bob!;
    await run('ip', [
      'netns',
      'exec',
      bob.ns,
      'tc',
      'qdisc',
      'add',
      'dev',
      'eth0',
      'root',
      'tbf',
      'rate',
      '1kbit',
      'burst',
      '1',
      'latency',
      '1ms',
    ]);
    const browser = await browse('bob');
    await new Promise((r) => setTimeout(r, 500)); // past the start query and the 0.2 s re-query
    await run('ip', ['netns', 'exec', bob.ns, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
    const line = await listed(browser, 'room-early');
    console.log(`[discovery] re-query found the earlier room ${line.at} ms after the browser started`);
    expect(line.at).toBeGreaterThan(500); // found by a re-query, not by the lost start query
    expect(roomIn(line, 'room-early')!.endpoints[0]).toEqual({ host: lan.machines.alice!.address, port });
  });

  it('finds rooms once the network comes up, when the browser started with the cable unplugged', async () => {
    await advertise('alice', { id: 'room-late', name: 'Late', host: 'Alice', members: 0 });
    await lan.setLink('bob', false);
    const browser = await browse('bob');
    await lan.setLink('bob', true);
    await listed(browser, 'room-late');
  });

  it('carries member count updates in the TXT record to the other machine without the room blinking out', async () => {
    // Probes every minute: only the re-announced TXT record can deliver the new count.
    const browser = await browse('bob', { probeIntervalMs: 60_000 });
    const { child } = await advertise('alice', {
      id: 'room-count',
      name: 'Count',
      host: 'Alice',
      members: 1,
    });
    await listed(browser, 'room-count');
    const from = jsonLines(browser).all.length;

    for (const n of [2, 3, 4, 5]) child.stdin!.write(`${JSON.stringify({ cmd: 'members', n })}\n`);
    await waitForLine(browser, (l) => roomIn(l, 'room-count')?.members === 5, 20_000, 'member count 5');

    const seen = jsonLines(browser).all.slice(from).filter(isRooms);
    expect(seen.every((l) => roomIn(l, 'room-count'))).toBe(true);
    const counts = seen.map((l) => roomIn(l, 'room-count')!.members);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    // Throttled: the first change goes out at once, the rest together about a second later.
    expect(counts.length).toBeLessThanOrEqual(3);
  });

  it('drops a room from the other lobby when its host stops and says goodbye', async () => {
    const browser = await browse('bob', { probeIntervalMs: 60_000 });
    const { child } = await advertise('alice', { id: 'room-bye', name: 'Bye', host: 'Alice', members: 0 });
    await listed(browser, 'room-bye');

    child.kill('SIGTERM');
    await waitForLine(child, (l) => l.event === 'stopped', 10_000, 'stopped');
    // With probes a minute apart, only the goodbye can have removed it.
    await unlisted(browser, 'room-bye', 'room gone after goodbye', 10_000);
  });

  it('drops a room whose host was killed with SIGKILL (no goodbye) within 15 s', async () => {
    const browser = await browse('bob');
    const { child } = await advertise('alice', {
      id: 'room-killed',
      name: 'Killed',
      host: 'Alice',
      members: 0,
    });
    await listed(browser, 'room-killed');

    const t0 = performance.now();
    child.kill('SIGKILL');
    await unlisted(browser, 'room-killed', 'room gone within 15 s of SIGKILL', 15_000);
    console.log(`[discovery] a SIGKILLed host left the lobby after ${Math.round(performance.now() - t0)} ms`);
  });

  it('lists a room again when its host comes back after its cable was pulled', async () => {
    const browser = await browse('bob');
    await advertise('alice', { id: 'room-cable', name: 'Cable', host: 'Alice', members: 0 });
    await listed(browser, 'room-cable');

    await lan.setLink('alice', false);
    await unlisted(browser, 'room-cable', 'room gone while unplugged', 15_000);
    await lan.setLink('alice', true);
    await listed(browser, 'room-cable', 'room back after plugging in', 25_000);
  });

  it('ignores malformed TXT records (missing id, oversized name, wrong v type, ...) without crashing the browser', async () => {
    const browser = await browse('bob');
    const bad = fixture('alice', 'badAdvert.ts');
    await waitForLine(bad, (l) => l.event === 'published', 20_000, 'published');
    const line = await listed(browser, 'canary', 'canary listed after the bad records');

    expect(line.rooms.map((r) => r.id)).toEqual(['canary']);
    const all = jsonLines(browser).all;
    expect(all.filter(isRooms).flatMap((l) => l.rooms.map((r) => r.id))).not.toContain('bad-long-name');
    expect(all.filter((l) => l.event === 'error')).toEqual([]);
    expect(browser.exitCode).toBeNull();
  });

  it('lets discovery run inside a test-made namespace', async () => {
    const child = fixture('alice', 'guard.ts');
    const line = await waitForLine(child, (l) => l.event === 'guard', 20_000, 'guard verdict');
    expect(line.why).toBeNull();
  });
});

describe.skipIf(!canRun)('LAN discovery against a hostile machine on the segment', () => {
  let lan: Lan;

  beforeEach(async () => {
    lan = await createLan(['alice', 'bob', 'eve', 'victim']);
  });
  afterEach(async () => {
    await lan.destroy();
  });

  const fixture = (machine: string, script: string, args: string[] = [], env?: Record<string, string>) =>
    lan.spawn(machine, process.execPath, ['--import', 'tsx', resolve(FIXTURES, script), ...args], { env });
  const eve = () => lan.machines.eve!.address;

  async function advertise(room: { id: string; name: string }) {
    const child = fixture('alice', 'advertise.ts', ['--id', room.id, '--name', room.name, '--host', 'Alice']);
    const line = await waitForLine<Line & { port: number; fingerprint: string }>(
      child,
      (l) => l.event === 'listening',
      20_000,
      'listening',
    );
    return { child, port: line.port, fingerprint: line.fingerprint };
  }

  /** A lobby on Bob's machine that logs what it does (PARLEY_DEBUG=discovery) to its stderr. */
  async function browse(args: string[] = []) {
    const child = fixture('bob', 'browse.ts', args, { PARLEY_DEBUG: 'discovery' });
    await waitForLine(child, (l) => l.event === 'browsing', 20_000, 'browsing');
    return child;
  }

  const listed = (browser: ChildProcess, id: string, what = `${id} listed`) =>
    waitForLine<RoomsLine>(browser, (l) => !!roomIn(l, id), 20_000, what);
  const roomsSince = (browser: ChildProcess, from: number) =>
    jsonLines(browser).all.slice(from).filter(isRooms);
  const fqdnOf = (name: string, id: string) => `${instanceName(name, id)}._parley._tcp.local`;

  /** Resolves once the child has written `count` more stderr lines matching `match`. */
  function stderrLines(
    child: ChildProcess,
    match: (line: string) => boolean,
    count: number,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      let seen = 0;
      let partial = '';
      const onData = (chunk: Buffer) => {
        const parts = (partial + chunk.toString()).split('\n');
        partial = parts.pop() ?? '';
        seen += parts.filter(match).length;
        if (seen < count) return;
        finish();
        resolvePromise();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`No ${what} within ${timeoutMs} ms (${seen} of ${count}).`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
      };
      child.stderr!.on('data', onData);
    });
  }

  it('keeps a live room listed while a spoofed goodbye for it arrives every 2 s, after checking that it still answers', async () => {
    // Probes a minute apart: only a goodbye makes this lobby ask the room anything.
    const browser = await browse(['--probe-interval', '60000']);
    const { child: host } = await advertise({ id: 'room-held', name: 'Held' });
    await listed(browser, 'room-held');
    const from = jsonLines(browser).all.length;

    const spoof = fixture('eve', 'attack.ts', [
      'goodbye',
      ...['--fqdn', fqdnOf('Held', 'room-held'), '--address', eve(), '--every', '2000', '--count', '5'],
    ]);
    await waitForLine(spoof, (l) => l.event === 'done', 30_000, 'five spoofed goodbyes sent');
    // The lobby is still at work and still lists the room: a new member count reaches it.
    host.stdin!.write(`${JSON.stringify({ cmd: 'members', n: 2 })}\n`);
    await waitForLine(browser, (l) => roomIn(l, 'room-held')?.members === 2, 20_000, 'member count 2');

    const stderr = jsonLines(browser).stderr();
    expect(stderr).toMatch(/goodbye for room-held\|[0-9a-f]{64}: checking/);
    expect(stderr).toMatch(/probe room-held\|[0-9a-f]{64}: answered/);
    const seen = roomsSince(browser, from);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((l) => roomIn(l, 'room-held'))).toBe(true);
  });

  it('lists a same-id announcement with another certificate as a second entry marked suspect, never merged and never "certificate changed"', async () => {
    const browser = await browse();
    const real = await advertise({ id: 'room-office', name: 'Office' });
    await listed(browser, 'room-office');
    const from = jsonLines(browser).all.length;

    // Eve serves the room's info with her own certificate under the room's own service name, and
    // announces a second copy whose fingerprint has no key behind it.
    const impostor = fixture('eve', 'attack.ts', [
      'impostor',
      ...['--id', 'room-office', '--name', 'Office', '--host', 'Alice'],
      ...['--fqdn', fqdnOf('Office', 'room-office'), '--address', eve()],
    ]);
    const { fingerprint: fake, bogus } = await waitForLine<Line & { fingerprint: string; bogus: string }>(
      impostor,
      (l) => l.event === 'impostor',
      20_000,
      'impostor up',
    );
    const both = await waitForLine<RoomsLine>(
      browser,
      (l) => isRooms(l) && l.rooms.filter((r) => r.id === 'room-office').length === 2,
      20_000,
      'two entries for room-office',
    );
    // Let Eve repeat herself (and the lobby re-probe the real room) a few times more.
    await stderrLines(
      browser,
      (line) => line.includes(`from ${eve()}`),
      8,
      20_000,
      'eight more sightings from Eve',
    );
    await stderrLines(
      browser,
      (line) => line.includes(`probe room-office|${real.fingerprint}: answered`),
      2,
      20_000,
      'two more probes of the real room',
    );

    const entries = both.rooms.filter((r) => r.id === 'room-office');
    expect(entries.find((r) => r.fingerprint === real.fingerprint)).toMatchObject({
      suspect: false,
      endpoints: [{ host: lan.machines.alice!.address, port: real.port }],
    });
    expect(entries.find((r) => r.fingerprint === fake)).toMatchObject({
      suspect: true,
      endpoints: [{ host: eve(), port: expect.any(Number) }],
    });
    const seen = roomsSince(browser, from);
    for (const line of seen) {
      const genuine = line.rooms.find((r) => r.id === 'room-office' && r.fingerprint === real.fingerprint);
      // The real room never leaves, is never the suspect, and never leads with Eve's address.
      expect(genuine).toMatchObject({ suspect: false });
      expect(genuine!.endpoints[0]).toEqual({ host: lan.machines.alice!.address, port: real.port });
      expect(line.rooms.some((r) => r.fingerprint === bogus)).toBe(false);
    }
    // What a member's window makes of it, first contact or joined before: never "changed".
    for (const pinned of [null, real.fingerprint]) {
      const lobby = lobbyRooms({
        discovered: both.rooms,
        hosted: [],
        known: [],
        hostedBefore: () => false,
        pinned: () => pinned,
        verified: () => false,
        presented: () => null,
        unread: () => 0,
        code: (fp) => fp.slice(0, 6),
      }).filter((r) => r.id === 'room-office');
      expect(lobby.map((r) => r.trust)).not.toContain('changed');
      expect(lobby.find((r) => r.fingerprint === fake)).toMatchObject({ suspect: true });
      expect(lobby.find((r) => r.fingerprint === real.fingerprint)).toMatchObject({ suspect: false });
    }
  });

  it(`opens at most ${PROBE_BUDGET_DEFAULTS.perHostBurst} + ${PROBE_BUDGET_DEFAULTS.perHostPerSecond} per second connections to a victim that 300 fake rooms point at, and keeps the real room listed`, async () => {
    const victim = fixture('victim', 'victim.ts', ['--ports', '4']);
    const { ports } = await waitForLine<Line & { ports: number[] }>(
      victim,
      (l) => l.event === 'listening',
      20_000,
      'victim listening',
    );
    // Thirty addresses on Eve's machine, ten fake rooms announced from each.
    const aliases = Array.from({ length: 30 }, (_, i) => `10.77.0.${100 + i}`);
    for (const alias of aliases)
      await run('ip', ['-n', lan.machines.eve!.ns, 'addr', 'add', `${alias}/24`, 'dev', 'eth0']);

    const t0 = performance.now();
    const browser = await browse();
    await advertise({ id: 'room-real', name: 'Real' });
    await listed(browser, 'room-real');
    const from = jsonLines(browser).all.length;

    const flood = fixture('eve', 'attack.ts', [
      'flood',
      ...['--victim', lan.machines.victim!.address, '--ports', ports.join(',')],
      ...['--aliases', aliases.join(','), '--per-alias', '10', '--every', '1000', '--for', '12000'],
    ]);
    const { rooms } = await waitForLine<Line & { rooms: number }>(
      flood,
      (l) => l.event === 'flooding',
      20_000,
    );
    expect(rooms).toBe(300);
    await waitForLine(flood, (l) => l.event === 'done', 30_000, 'flood over');
    victim.stdin!.write(`${JSON.stringify({ cmd: 'count' })}\n`);
    const count = await waitForLine<Line & { total: number; byRemote: Record<string, number> }>(
      victim,
      (l) => l.event === 'count',
      10_000,
      'victim count',
    );
    const seconds = (performance.now() - t0) / 1000;
    const bound = PROBE_BUDGET_DEFAULTS.perHostBurst + PROBE_BUDGET_DEFAULTS.perHostPerSecond * seconds;
    console.log(
      `[discovery] 300 fake rooms aimed at a victim: ${count.total} connections from the lobby in ${seconds.toFixed(1)} s (bound ${Math.floor(bound)})`,
    );
    expect(count.byRemote[lan.machines.bob!.address] ?? 0).toBeGreaterThan(0); // the attack did reach it
    expect(count.total).toBeLessThanOrEqual(bound);

    const seen = roomsSince(browser, from);
    expect(seen.every((l) => roomIn(l, 'room-real'))).toBe(true);
    expect(seen.flatMap((l) => l.rooms.map((r) => r.id)).filter((id) => id.startsWith('fake-'))).toEqual([]);
  });

  it('answers a query repeating one question 200 times with one response, and 50 queries in a second with at most one a second', async () => {
    await advertise({ id: 'room-quiet', name: 'Quiet' });
    const query = fixture('eve', 'attack.ts', [
      'query',
      ...['--fqdn', fqdnOf('Quiet', 'room-quiet'), '--responder', lan.machines.alice!.address],
      ...['--address', eve(), '--repeat', '200', '--burst', '50', '--window', '2500'],
    ]);
    const counted = await waitForLine<
      Line & {
        queryBytes: number;
        repeated: { packets: number; bytes: number };
        burst: { queries: number; sendSeconds: number; packets: number };
      }
    >(query, (l) => l.event === 'counted', 30_000, 'responses counted');
    console.log(
      `[discovery] a ${counted.queryBytes}-byte query repeating a question 200 times drew ${counted.repeated.packets} response(s), ${counted.repeated.bytes} bytes; 50 queries in ${counted.burst.sendSeconds.toFixed(2)} s drew ${counted.burst.packets}`,
    );
    expect(counted.repeated.packets).toBe(1);
    expect(counted.burst.packets).toBeGreaterThanOrEqual(1);
    expect(counted.burst.packets).toBeLessThanOrEqual(1 + Math.ceil(counted.burst.sendSeconds));
  });
});

describe('the PARLEY_REQUIRE_NETNS guard', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('refuses to start discovery in the root namespace before any socket is created', () => {
    expect(process.env.PARLEY_REQUIRE_NETNS).toBe('1');
    // multicast-dns (CommonJS) reaches dgram through require: make sure that is the object we spy on.
    expect(createRequire(import.meta.url)('node:dgram')).toBe(dgram);
    const createSocket = vi.spyOn(dgram, 'createSocket');

    expect(() => new Discovery()).toThrow(/only allowed inside test-made network namespaces/);
    expect(createSocket).not.toHaveBeenCalled();
  });
});
