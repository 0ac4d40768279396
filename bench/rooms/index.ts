import type { Browser, Page } from '@playwright/test';
import type { AgentClient } from '../../test/support/AgentClient';
import { median, spread } from '../stats';
import type { Bench, BenchContext, BenchResult } from '../types';
import { launchChromium, leaveRoom, openBenchWindow, openRoom } from '../window/browser';
import type { BenchProbe, OpenTiming } from '../window/probe';
import { Leftovers, startMemberProcess, startRoom, type LoopbackRoom } from '../window/rooms';
import { cpuMs, rssKb } from './proc';

type Win = { __parleyBench: BenchProbe };

const ms = (n: number) => Math.round(n * 10) / 10;

/** How long the core's CPU time is watched while it sits idle, in each state. */
const IDLE_FULL_MS = 30_000;

interface Sizes {
  rooms: number;
  history: number;
  switches: number;
  opens: number;
  idleMs: number;
}

/** CPU time the process used per second of a quiet `ms`: what merely being in its rooms costs. */
async function idleCpu(pid: number, ms: number): Promise<number> {
  const before = cpuMs(pid);
  const started = performance.now();
  // Measuring idleness is waiting: nothing happens in this window on purpose.
  await new Promise((r) => setTimeout(r, ms));
  return (cpuMs(pid) - before) / ((performance.now() - started) / 1000);
}

/** Joins `room` through the core (setup, not timed) and waits until the session is online. */
async function joinQuietly(member: AgentClient, room: LoopbackRoom): Promise<string> {
  const seen = await member.send('room:check-address', { address: room.address });
  const { roomId } = await member.send('room:join-address', {
    address: room.address,
    fingerprint: seen.fingerprint,
  });
  await member.waitFor(
    'session',
    (p) => p.roomId === roomId && p.session?.state === 'online' && p.session.messages.length > 0,
    60_000,
    `${room.name} online`,
  );
  return roomId;
}

/** Clicks the room's entry in the sidebar; resolves with that click until its latest message is painted. */
async function switchTo(page: Page, roomId: string, latestSeq: number): Promise<OpenTiming> {
  await page.evaluate((seq) => (globalThis as unknown as Win).__parleyBench.arm(seq), latestSeq);
  await page.locator(`nav button[data-room="${roomId}"]`).click();
  return page.evaluate(() => (globalThis as unknown as Win).__parleyBench.opened!);
}

async function measure(ctx: BenchContext, sizes: Sizes, left: Leftovers, out: { browser?: Browser }) {
  ctx.log(
    `seeding ${sizes.rooms} rooms of ${sizes.history.toLocaleString('en')} messages and starting their hosts…`,
  );
  // Each room's latest seq differs, so a painted message always belongs to the room switched to.
  const rooms = await Promise.all(
    Array.from({ length: sizes.rooms }, (_, i) => startRoom(left, `Room ${i + 1}`, sizes.history + i)),
  );
  const visitor = await startRoom(left, 'Visitor', sizes.history + sizes.rooms);
  const { client: member, pid } = await startMemberProcess(left);

  ctx.log('the core idle in no room…');
  const idleAlone = await idleCpu(pid, sizes.idleMs);
  const rssAlone = rssKb(pid);
  ctx.log(`joining ${sizes.rooms} rooms…`);
  const ids: string[] = [];
  for (const room of rooms) ids.push(await joinQuietly(member, room));
  const rssJoined = rssKb(pid);
  ctx.log(`the core idle in ${sizes.rooms} rooms…`);
  const idleJoined = await idleCpu(pid, sizes.idleMs);

  const browser = await launchChromium();
  out.browser = browser;
  const page = await openBenchWindow(browser, member);
  const latest = (i: number) => rooms[i]!.count;
  // Every room shown once first (its first view warms the JIT and fills virtua's measurements).
  for (let i = 0; i < rooms.length; i++) await switchTo(page, ids[i]!, latest(i));
  // The visitor room's certificate is pinned by a first open, as a person's second open would find it.
  await page
    .getByRole('navigation', { name: 'Rooms' })
    .getByRole('button', { name: 'Join by address' })
    .click();
  await openRoom(page, visitor);
  await leaveRoom(page);

  const switches: OpenTiming[] = [];
  const opens: OpenTiming[] = [];
  let at = 0;
  for (let i = 0; i < sizes.switches; i++) {
    // Hops of seven rooms: never the room on screen, every room in turn.
    at = (at + 7) % rooms.length;
    switches.push(await switchTo(page, ids[at]!, latest(at)));
    if (i % Math.ceil(sizes.switches / sizes.opens) === 0 && opens.length < sizes.opens) {
      // Interleaved, so whatever else the machine does falls on both alike.
      await page
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('button', { name: 'Join by address' })
        .click();
      opens.push(await openRoom(page, visitor));
      await leaveRoom(page);
    }
  }
  return { switches, opens, idleAlone, idleJoined, rssAlone, rssJoined };
}

export const roomsBench: Bench = {
  id: 'rooms',
  title: 'Many rooms at once',
  timeoutMs: 420_000,
  async run(ctx): Promise<BenchResult> {
    const sizes: Sizes = ctx.quick
      ? { rooms: 4, history: 2_000, switches: 8, opens: 2, idleMs: 3_000 }
      : { rooms: 20, history: 10_000, switches: 40, opens: 8, idleMs: IDLE_FULL_MS };
    const left = new Leftovers();
    const out: { browser?: Browser } = {};
    let data: Awaited<ReturnType<typeof measure>>;
    try {
      data = await measure(ctx, sizes, left, out);
    } finally {
      await out.browser?.close().catch(() => undefined);
      await left.dispose();
    }
    const toPaint = (runs: OpenTiming[]) => runs.map((r) => r.paint - r.click);
    const switchMs = toPaint(data.switches);
    const openMs = toPaint(data.opens);
    const perRoomKb = (data.rssJoined - data.rssAlone) / sizes.rooms;
    const history = sizes.history.toLocaleString('en');
    return {
      figures: [
        {
          name: `Switching to another of ${sizes.rooms} joined rooms (${history} messages each): click in the sidebar to its latest message painted`,
          unit: 'ms',
          ours: ms(median(switchMs)),
          baseline: { label: `opening one room of ${history} messages`, value: ms(median(openMs)) },
          goal: { kind: 'atMost', value: 50 },
          runs: switchMs.length,
          note: `spread ${spread(switchMs, 1)} ms (opening: ${spread(openMs, 1)} ms over ${openMs.length}); from the click's event.timeStamp to the start of the first frame showing the room's latest message`,
        },
        {
          name: 'Switching rooms, against opening one',
          unit: 'ms',
          ours: ms(median(switchMs)),
          baseline: { label: 'opening one room', value: ms(median(openMs)) },
          goal: { kind: 'ratioAtMost', value: 1 },
          runs: switchMs.length,
          note: 'a switch shows what the window already holds; an open also joins the room over TLS',
        },
        {
          name: `The core's CPU while idle in ${sizes.rooms} rooms`,
          unit: 'ms CPU/s',
          ours: Math.round(data.idleJoined * 100) / 100,
          baseline: { label: 'the same core in no room', value: Math.round(data.idleAlone * 100) / 100 },
          goal: { kind: 'report' },
          runs: 1,
          note: `user + system time of the member's process (/proc) over ${sizes.idleMs / 1000} s with nothing said in any room: the heartbeats, and nothing else`,
        },
        {
          name: "The core's memory per joined idle room",
          unit: 'KB',
          ours: Math.round(perRoomKb),
          goal: { kind: 'atMost', value: 2048 },
          runs: 1,
          note: `RSS of the member's process in no room ${data.rssAlone} KB, in ${sizes.rooms} rooms ${data.rssJoined} KB; each room holds its latest 200 messages, its roster and its connection`,
        },
      ],
    };
  },
};
