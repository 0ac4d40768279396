import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { RoomHost, type RoomHostOptions } from '../../../src/core/host/RoomHost';
import { testIdentity } from './identity';
import { HostDatabase, type HostDatabaseOptions } from '../../../src/core/store/host/HostDatabase';

/**
 * A started RoomHost on 127.0.0.1 and a free port (TLS with this test file's identity unless
 * given one), stopped when the test ends.
 */
export async function startHost(opts: Partial<RoomHostOptions> = {}): Promise<RoomHost> {
  const host = new RoomHost({
    identity: await testIdentity(),
    name: 'Test room',
    hostNick: 'Hosting Hana',
    bindAddress: '127.0.0.1',
    ...opts,
  });
  onTestFinished(() => host.stop());
  await host.start();
  return host;
}

/** A clock for the host's rate limits that moves only when the test says so. */
export function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

/** A fresh empty folder, removed with everything in it when the test ends. */
export function tempDir(prefix = 'parley-host-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** HostDatabase.open on `dir`, closed when the test ends (closing twice is harmless). */
export function openHostDb(dir: string, opts: HostDatabaseOptions = {}): HostDatabase {
  const db = HostDatabase.open(dir, opts);
  onTestFinished(() => db.close());
  return db;
}
