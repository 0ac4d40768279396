/**
 * The idle-socket attack of issue 9, measured on loopback against the real headless host
 * (`src/cli/host.ts --bind 127.0.0.1`): 1,100 TCP connections from 127.0.0.2 that never send
 * a ClientHello, each renewed the moment the host closes it, for DURATION_S seconds; meanwhile
 * a good member from 127.0.0.3 joins once a second and posts. Prints the figures as JSON:
 * how soon the host closed the attacker's sockets, the good member's join and ack times, and
 * the host's CPU and RSS. Bounded in time and in connections; stops by itself.
 *
 *   node --import tsx bench/admission/idleFlood.ts [DURATION_S]
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';

const DURATION_S = Number(process.argv[2] ?? 20);
const SOCKETS = 1_100;
const MAX_OPENS = 2_000_000;
const CLI = resolve(import.meta.dirname, '../../src/cli/host.ts');
const TICK_S = 1 / 100; // USER_HZ on Linux

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p95: pct(s, 95), max: s.at(-1) ?? NaN };
};

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_S;
}
function rssMB(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : NaN;
}

/** The hello the good member sends (one place, for when the hello format changes). */
function hello(nick: string): string {
  return JSON.stringify({
    type: 'hello',
    v: PROTOCOL_VERSION,
    nick,
    key: randomBytes(18).toString('base64url'),
  });
}

/** One good member from 127.0.0.3: ms to its welcome and ms from its post to the ack. */
function goodMember(
  port: number,
  nick: string,
): Promise<{ joinMs: number; ackMs: number } | { error: string }> {
  return new Promise((done) => {
    const t0 = performance.now();
    let welcomedAt = 0;
    let postedAt = 0;
    const cid = randomUUID();
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`, {
      rejectUnauthorized: false,
      perMessageDeflate: false,
      localAddress: '127.0.0.3',
    });
    const timer = setTimeout(() => finish({ error: 'no welcome and ack within 10 s' }), 10_000);
    const finish = (r: { joinMs: number; ackMs: number } | { error: string }) => {
      clearTimeout(timer);
      ws.terminate();
      done(r);
    };
    ws.on('error', (err) => finish({ error: err.message }));
    ws.on('open', () => ws.send(hello(nick)));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; cid?: string };
      if (frame.type === 'welcome') {
        welcomedAt = performance.now();
        postedAt = welcomedAt;
        ws.send(JSON.stringify({ type: 'post', text: 'still here', cid }));
      } else if (frame.type === 'ack' && frame.cid === cid) {
        finish({ joinMs: welcomedAt - t0, ackMs: performance.now() - postedAt });
      }
    });
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-admission-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--name', 'Siege', '--bind', '127.0.0.1', '--no-advertise', '--data', dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const stopAll = () => {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  const port = await new Promise<number>((ok, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /listening on wss:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) ok(Number(m[1]));
    });
    child.once('exit', () => fail(new Error('host exited')));
  });
  const pid = child.pid!;
  await new Promise((r) => setTimeout(r, 2_000));
  const idleRss = rssMB(pid);
  const cpu0 = cpuSeconds(pid);
  const started = performance.now();

  // The attack: every socket renewed as soon as it closes, until the time is up.
  let stopped = false;
  let opens = 0;
  const firstRound: number[] = []; // ms from connect to the host closing it, first 1,100 only
  const open = new Set<Socket>();
  const openOne = (first: boolean): void => {
    if (stopped || opens >= MAX_OPENS) return;
    opens++;
    const t0 = performance.now();
    const socket = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    open.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => {
      open.delete(socket);
      if (first) firstRound.push(performance.now() - t0);
      setImmediate(() => openOne(false));
    });
  };
  for (let i = 0; i < SOCKETS; i++) openOne(true);

  let peakRss = idleRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMB(pid))), 250);
  const joins: number[] = [];
  const acks: number[] = [];
  const failures: string[] = [];
  for (let i = 0; performance.now() - started < DURATION_S * 1000; i++) {
    const r = await goodMember(port, `Good ${i}`);
    if ('error' in r) failures.push(r.error);
    else {
      joins.push(r.joinMs);
      acks.push(r.ackMs);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const elapsed = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  stopped = true;
  clearInterval(sampler);
  for (const socket of open) socket.destroy();
  const refusedFast = firstRound.filter((ms) => ms < 1_000);
  const heldThenClosed = firstRound.filter((ms) => ms >= 1_000);
  console.log(
    JSON.stringify(
      {
        durationS: Math.round(elapsed),
        attackerConnectionsOpened: opens,
        attackerOpensPerS: Math.round(opens / elapsed),
        firstRound: {
          resetAtOnce: { ...summary(refusedFast), unit: 'ms' },
          heldUntilTlsDeadline: { ...summary(heldThenClosed), unit: 'ms' },
        },
        goodMember: {
          joinMs: summary(joins),
          joinsInOrderMs: joins.map(Math.round),
          ackMs: summary(acks),
          failures,
        },
        host: {
          cpuPercentOfOneCore: Math.round((100 * cpu) / elapsed),
          idleRssMB: Math.round(idleRss),
          peakRssMB: Math.round(peakRss),
        },
      },
      null,
      2,
    ),
  );
  stopAll();
  process.exit(0);
}

void main();
