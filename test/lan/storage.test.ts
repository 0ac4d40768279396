import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHeadlessHost, type HeadlessHost } from '../support/headlessHost';
import { createLan, requireNetnsOrSkip, waitForLine, type Lan } from './netns';

const canRun = requireNetnsOrSkip();
const FLOOD = resolve(import.meta.dirname, 'fixtures/flood.ts');
/** What the host may grow by while its disk is full: the overflow (1 MiB counted) and its costs. */
const RSS_BOUND_MIB = 128;

/** Resident memory of a process, in MiB, from /proc (the host runs in a namespace, not a container). */
function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
  return Number(kb) / 1024;
}

/** host.db and its write-ahead log in `dir`, in MiB. */
function dbMiB(dir: string): { db: number; wal: number } {
  const size = (f: string) => (statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0) / 1048576;
  return { db: size('host.db'), wal: size('host.db-wal') };
}

describe.skipIf(!canRun)('storage under attack', () => {
  let lan: Lan;
  let mnt: string;
  let host: HeadlessHost | null = null;

  beforeEach(async () => {
    lan = await createLan(['host', 'mallory', 'alice']);
    mnt = mkdtempSync(join(tmpdir(), 'parley-fulldisk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=30m', 'tmpfs', mnt]);
  });
  afterEach(async () => {
    if (host?.child.exitCode === null) host.child.kill('SIGKILL');
    host = null;
    await lan.destroy();
    execFileSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it('holds host.db near its history budget while one member floods it with twelve times that', async () => {
    const data = join(mnt, 'data');
    mkdirSync(data);
    host = await startHeadlessHost(lan, 'host', [
      ...['--name', 'Flood', '--data', data, '--no-advertise', '--post-rate', '5000', '--post-burst', '5000'],
      ...['--daily-posts', '10000000', '--daily-bytes', '100GB', '--max-history', '4MB'],
    ]);
    const address = lan.machines.host!.address;
    // 6,000 posts of 8,000 characters: 48 MB offered to a room that keeps 4 MiB.
    const flood = lan.spawn('mallory', process.execPath, [
      '--import',
      'tsx',
      FLOOD,
      address,
      String(host.port),
      '6000',
      '1',
    ]);
    let largest = { db: 0, wal: 0 };
    const sample = setInterval(() => {
      const now = dbMiB(data);
      if (now.db + now.wal > largest.db + largest.wal) largest = now;
    }, 50);
    const done = await waitForLine<{ event: string; acked: number; full: number; other: number }>(
      flood,
      (l) => l.event === 'done',
      110_000,
      'the flood to end',
    ).finally(() => clearInterval(sample));
    console.log(
      `post flood: ${done.acked} acknowledged (${((done.acked * 8_000) / 1048576).toFixed(0)} MiB of text); host.db peaked at ${largest.db.toFixed(1)} MiB + wal ${largest.wal.toFixed(1)} MiB for a 4 MiB budget`,
    );
    expect(done.acked).toBe(6000);
    // The budget with its pages and indexes, a sixteenth of it arriving before each pruning
    // pass, and the write-ahead log (checkpointed at about 4 MiB).
    expect(largest.db).toBeLessThan(4 * 1.5);
    expect(largest.db + largest.wal).toBeLessThan(4 * 1.5 + 5);
  });

  it('refuses a flood with STORAGE_FULL once its bounded memory is used, its RSS stays bounded, and history is still served', async () => {
    const data = join(mnt, 'data');
    mkdirSync(data);
    // The rate and quota are not what this is about: they are opened wide so the disk fills.
    host = await startHeadlessHost(lan, 'host', [
      ...['--name', 'Full', '--data', data, '--no-advertise', '--post-rate', '5000', '--post-burst', '5000'],
      ...['--daily-posts', '10000000', '--daily-bytes', '100GB', '--max-history', '20GB'],
    ]);
    // Leave the host about 2 MB of its 30 MB disk.
    const filler = join(mnt, 'filler');
    const chunk = Buffer.alloc(1024 * 1024, 1);
    for (let i = 0; i < 27; i++) writeFileSync(filler, chunk, { flag: 'a' });
    const idle = rssMiB(host.child.pid!);

    // 240 MB of distinct posts offered; it stops once 4,000 were refused as STORAGE_FULL.
    const address = lan.machines.host!.address;
    const flood = lan.spawn('mallory', process.execPath, [
      '--import',
      'tsx',
      FLOOD,
      address,
      String(host.port),
      '30000',
      '4000',
    ]);
    const done = await waitForLine<{
      event: string;
      acked: number;
      full: number;
      other: number;
      sent: number;
    }>(flood, (l) => l.event === 'done', 110_000, 'the flood to end');
    const grown = rssMiB(host.child.pid!) - idle;
    console.log(
      `full disk: ${done.acked} acknowledged, ${done.full} STORAGE_FULL; host RSS +${grown.toFixed(0)} MiB`,
    );
    expect(done.full).toBeGreaterThanOrEqual(4000);
    expect(done.other).toBe(0);
    // What was acknowledged fits the disk's last 2 MB and the 1 MiB overflow; nothing more.
    expect(done.acked).toBeLessThan(1_500);
    expect(grown).toBeLessThan(RSS_BOUND_MIB);
    expect(host.printed.join('\n')).not.toMatch(/unexpected error/);

    // The room still answers: another member joins and gets the latest messages (as many of
    // these 8,000-character ones as the 128 KiB reply budget holds: 16), and its post is
    // answered too (refused alike while the disk stays full).
    const alice = lan.spawn('alice', process.execPath, [
      '--import',
      'tsx',
      FLOOD,
      address,
      String(host.port),
      '1',
      '1',
    ]);
    expect(await waitForLine(alice, (l) => l.event === 'welcome', 20_000, 'a welcome')).toMatchObject({
      history: 16,
    });
    expect(await waitForLine(alice, (l) => l.event === 'done', 20_000, 'an answer')).toMatchObject({
      other: 0,
    });
  });
});
