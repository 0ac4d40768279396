import { execFile, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Discovery, type DiscoveredRoom } from '../../src/core/discovery/Discovery';
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
