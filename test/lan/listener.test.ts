/**
 * The headless host listens where it is told: with `--interface ADDR` (the LAN tests' way of
 * running it) it answers on that address and on none of its machine's others, loopback and
 * IPv6 loopback included. On simulated machines, so the real interfaces are never touched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHeadlessHost } from '../support/headlessHost';
import { createLan, requireNetnsOrSkip, type Lan } from './netns';

const canRun = requireNetnsOrSkip();

/** 'connected', or the error code of a TCP connect to address:port from inside `machine`. */
function tcpFrom(lan: Lan, machine: string, address: string, port: number): Promise<string> {
  const script =
    `const s = require('node:net').connect({ host: ${JSON.stringify(address)}, port: ${port} });` +
    `s.once('connect', () => { console.log('connected'); s.destroy(); });` +
    `s.once('error', (e) => console.log(e.code || e.message));`;
  const child = lan.spawn(machine, process.execPath, ['-e', script]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((done) => child.once('exit', () => done(out.trim())));
}

describe.skipIf(!canRun)('the headless host on a simulated LAN', () => {
  let lan: Lan;
  let dir: string;

  beforeEach(async () => {
    lan = await createLan(['alice', 'bob']);
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
  });

  afterEach(async () => {
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with --interface answers on that address only, not on its machine’s loopback or IPv6 loopback', async () => {
    const alice = lan.machines.alice!.address;
    const host = await startHeadlessHost(lan, 'alice', ['--name', 'Lab', '--no-advertise', '--data', dir]);
    expect(host.printed.filter((line) => line.includes('listening on'))).toEqual([
      `  listening on wss://${alice}:${host.port}`,
    ]);
    expect(await tcpFrom(lan, 'bob', alice, host.port)).toBe('connected');
    expect(await tcpFrom(lan, 'alice', '127.0.0.1', host.port)).toBe('ECONNREFUSED');
    expect(await tcpFrom(lan, 'alice', '::1', host.port)).not.toBe('connected');
  });
});
