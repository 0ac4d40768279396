/**
 * One of the fan-out benchmark's client processes: it holds its share of the room's members,
 * makes a few of them post at a fixed rate, and times every delivery the others receive. The
 * same code drives Parley and the baseline, and both kinds of receiver parse every frame as
 * JSON, so the clients cost the machine the same either way.
 */
import type { TLSSocket } from 'node:tls';
import { WebSocket } from 'ws';
import { fingerprintOf } from '../../src/core/identity/fingerprint';
import { MemberKey } from '../../src/core/memberKey';
import { PROTOCOL_VERSION } from '../../src/shared/constants';
import { now, TEXT_CHARS, type ClientCommand, type ClientReply, type HostKind } from './ipc';

/** Connections opened at once while the room fills. */
const CONNECT_CONCURRENCY = 25;
/** A sender whose socket holds more than this unsent skips a post instead of queueing it. */
const BACKED_UP_BYTES = 64 * 1024;
/** Tells this process's posts from the other's, for the in-flight count. */
const TAG = String(process.pid);

const sockets: WebSocket[] = [];
let kind: HostKind = 'parley';
let measuring: { from: number; to: number; latencies: number[]; deliveries: number } | null = null;
let closed = 0;
/** Posts this process has made, for cids: a cid used twice would be taken for a resend. */
let posted = 0;
/**
 * This process's posts its last-joined member has received. Hosts fan out in join order, so
 * when the last member has a post, the host has (nearly) finished with it: posted - landed is
 * how many of ours the host still holds, which bounds the queue in the saturation phase.
 */
let landed = 0;
let observer: WebSocket | null = null;

function reply(message: ClientReply): void {
  process.send?.(message);
}

/** The text of a post as a member other than its sender receives it; null for other frames. */
function postText(data: Buffer): string | null {
  const frame = JSON.parse(data.toString()) as {
    type: string;
    text?: string;
    message?: { text: string; cid?: string };
  };
  if (kind === 'ws') return frame.type === 'post' ? frame.text! : null;
  // Parley: the sender's own echo carries its cid; only deliveries to others count.
  if (frame.type !== 'message' || frame.message!.cid !== undefined) return null;
  return frame.message!.text;
}

function onFrame(this: WebSocket, data: Buffer): void {
  const text = postText(data);
  if (text === null) return;
  if (this === observer && text.endsWith(TAG)) landed++;
  if (!measuring) return;
  const sent = Number.parseFloat(text);
  const t = now();
  if (t < measuring.from || t >= measuring.to) return;
  measuring.deliveries++;
  measuring.latencies.push(t - sent);
}

/** Opens one member's connection; for Parley, resolves once its hello is welcomed. */
function open(port: number, index: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // Loopback only, and the host is our own child: its certificate is not what is measured.
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`, {
      perMessageDeflate: false,
      rejectUnauthorized: false,
    });
    const fail = (err: Error): void => reject(err);
    let fingerprint = '';
    ws.once('upgrade', (res) => {
      fingerprint = fingerprintOf((res.socket as TLSSocket).getPeerCertificate().raw);
    });
    ws.once('error', fail);
    ws.once('open', () => {
      if (kind === 'ws') {
        ws.off('error', fail);
        resolve(ws);
        return;
      }
      const key = MemberKey.generate();
      const onWelcome = (data: Buffer): void => {
        const frame = JSON.parse(data.toString()) as { type: string; nonce?: string };
        const type = frame.type;
        if (type === 'challenge') {
          // Signed over the nonce and the certificate this very connection presented.
          const sig = key.signHello(frame.nonce!, fingerprint);
          ws.send(
            JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, nick: `m${index}`, pub: key.pub, sig }),
          );
        } else if (type === 'welcome') {
          ws.off('message', onWelcome);
          ws.off('error', fail);
          resolve(ws);
        } else if (type === 'error') {
          reject(new Error(`member ${index} was refused: ${data.toString()}`));
        }
      };
      ws.on('message', onWelcome);
    });
  });
}

async function connect(port: number, count: number, first: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = first + next++;
      const ws = await open(port, index);
      ws.on('error', () => {});
      ws.on('message', onFrame);
      ws.on('close', () => closed++);
      sockets.push(ws);
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  observer = sockets.at(-1) ?? null;
}

/** The send time, padding, and this process's tag: TEXT_CHARS in all. */
function padded(t: number): string {
  const head = `${t.toFixed(3)} `;
  return head + 'x'.repeat(TEXT_CHARS - head.length - TAG.length) + TAG;
}

/** Posts `rate` per second from the first `senders` sockets, round robin, from start to end. */
function load(command: Extract<ClientCommand, { cmd: 'load' }>): Promise<ClientReply> {
  const { senders, rate, maxInFlight, start, end, measureFrom, measureTo } = command;
  measuring = { from: measureFrom, to: measureTo, latencies: [], deliveries: 0 };
  closed = 0;
  let due = 0;
  let sent = 0;
  let skipped = 0;
  return new Promise((resolve) => {
    // A short tick and a catch-up count: timers are coarse, the rate over a second is not.
    const timer = setInterval(() => {
      const t = now();
      if (t < start) return;
      const target = Math.floor((Math.min(t, end) - start) * (rate / 1000));
      while (due < target) {
        // Closed loop: the host still holds enough of ours to stay busy; wait for the next tick.
        if (maxInFlight !== null && posted - landed >= maxInFlight) {
          due = target;
          break;
        }
        const ws = sockets[due % senders]!;
        due++;
        if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > BACKED_UP_BYTES) {
          skipped++;
          continue;
        }
        ws.send(JSON.stringify({ type: 'post', text: padded(now()), cid: `c${++posted}` }));
        sent++;
      }
      if (t >= Math.max(end, measureTo)) {
        clearInterval(timer);
        const m = measuring!;
        measuring = null;
        resolve({
          type: 'loaded',
          sent,
          skipped,
          deliveries: m.deliveries,
          latencies: m.latencies,
          closed,
        });
      }
    }, 2);
  });
}

process.on('message', (raw) => {
  const command = raw as ClientCommand;
  if (command.cmd === 'connect') {
    kind = command.kind;
    connect(command.port, command.count, command.first).then(
      () => reply({ type: 'connected', count: sockets.length }),
      (err: unknown) => reply({ type: 'error', message: String(err) }),
    );
  } else if (command.cmd === 'load') {
    void load(command).then(reply);
  } else {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
