/**
 * The listener listens where it is told: a room bound to one address does not answer on any
 * other (loopback's other addresses, IPv6), in the library and in the headless host's CLI.
 */
import { spawn } from 'node:child_process';
import { get } from 'node:https';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import { listeningAddresses, wssOrigin } from '../../src/cli/listenAddresses';
import { startHost, tempDir } from './support/host';
import { INFO_PATH, type RoomInfo } from '../../src/shared/protocol';

/** 'connected', or the error code a plain TCP connect to address:port failed with. */
function tcpOutcome(address: string, port: number): Promise<string> {
  return new Promise((done) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      done('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

describe('RoomHost bound to one address', () => {
  it('answers on that address and refuses connections to every other', async () => {
    const host = await startHost({ bindAddress: '127.0.0.5' });
    expect(host.boundAddress).toBe('127.0.0.5');
    expect(await tcpOutcome('127.0.0.5', host.port)).toBe('connected');
    expect(await tcpOutcome('127.0.0.1', host.port)).toBe('ECONNREFUSED');
    expect(await tcpOutcome('127.0.0.6', host.port)).toBe('ECONNREFUSED');
    // IPv6 loopback, where the machine has it (EADDRNOTAVAIL otherwise): never an answer.
    expect(await tcpOutcome('::1', host.port)).not.toBe('connected');
  });
});

/** The room name the info route at address:port answers with. */
function roomNameAt(address: string, port: number): Promise<string> {
  return new Promise((done, fail) => {
    get({ host: address, port, path: INFO_PATH, rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done((JSON.parse(body) as RoomInfo).name));
    }).on('error', fail);
  });
}

const CLI = resolve(import.meta.dirname, '../../src/cli/host.ts');

/** Runs the headless host with `args` until it prints its fingerprint; returns what it printed. */
async function runCli(args: string[]): Promise<string[]> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--no-advertise', '--data', tempDir(), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  const printed: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done, fail) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      printed.push(line);
      if (line.includes('certificate fingerprint')) done(printed);
    });
    child.once('exit', (code) => fail(new Error(`host exited ${code}:\n${printed.join('\n')}\n${stderr}`)));
  });
}

describe('The headless host (npm run host)', () => {
  it('with --bind listens on that address only and prints only it', async () => {
    const printed = await runCli(['--name', 'Bound', '--bind', '127.0.0.7']);
    const lines = printed.filter((line) => line.includes('listening on'));
    expect(lines).toHaveLength(1);
    const port = Number(/listening on wss:\/\/127\.0\.0\.7:(\d+)$/.exec(lines[0]!)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await tcpOutcome('127.0.0.1', port)).toBe('ECONNREFUSED');
    // And the room is there, on the address it printed.
    expect(await roomNameAt('127.0.0.7', port)).toBe('Bound');
  }, 30_000);
});

/** A machine with an Ethernet card (IPv4, a ULA and a link-local IPv6) and loopback. */
const INTERFACES = {
  lo: [
    { address: '127.0.0.1', family: 'IPv4', internal: true },
    { address: '::1', family: 'IPv6', internal: true },
  ],
  eth0: [
    { address: '192.168.1.20', family: 'IPv4', internal: false },
    { address: 'fd00::20', family: 'IPv6', internal: false },
    { address: 'fe80::1', family: 'IPv6', internal: false, scopeid: 2 },
  ],
} as unknown as Parameters<typeof listeningAddresses>[1];

describe('listeningAddresses', () => {
  it('lists IPv4 then IPv6 for a dual-stack listener, loopback last in each, link-local left out', () => {
    expect(listeningAddresses('::', INTERFACES)).toEqual(['192.168.1.20', '127.0.0.1', 'fd00::20', '::1']);
  });

  it('lists only IPv4 for an IPv4 wildcard, and only the address itself for a bound listener', () => {
    expect(listeningAddresses('0.0.0.0', INTERFACES)).toEqual(['192.168.1.20', '127.0.0.1']);
    expect(listeningAddresses('fd00::20', INTERFACES)).toEqual(['fd00::20']);
  });

  it('writes IPv6 origins in brackets and IPv4 ones as they are', () => {
    expect(wssOrigin('fd00::20', 4000)).toBe('wss://[fd00::20]:4000');
    expect(wssOrigin('10.0.0.5', 4000)).toBe('wss://10.0.0.5:4000');
  });
});
