/**
 * Throws the corpus of bad frames (corpus.ts) at a real RoomHost on loopback from several
 * attacker connections at once, while two well-behaved members keep chatting, and checks that
 * the host answered every frame or closed the connection, stayed up, kept its memory bounded
 * and kept serving the members. FUZZ_FRAMES sets how many frames (default 20,000; `npm run
 * fuzz` sends 100,000); FUZZ_SEED replays another corpus.
 */
import { get } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { WebSocket } from 'ws';
import { fingerprintOf } from '../../src/core/identity/fingerprint';
import { decodeHostFrame } from '../../src/shared/codec';
import { INFO_PATH, PROTOCOL_VERSION, type HostFrame, type RoomInfo } from '../../src/shared/protocol';
import { startHost } from '../unit/support/host';
import { newKey } from '../unit/support/RawPeer';
import { badFrames, FRAME_KINDS, SIGNED_HELLO, type BadFrame } from './corpus';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 20_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_122);
const ATTACKERS = 4;
/** Frames an attacker sends ahead of the answers: enough to keep the host busy, few to lose at a cut. */
const IN_FLIGHT = 16;
/** An attacker waiting this long for an answer means the host swallowed a frame (a failure). */
const STALL_MS = 15_000;
/** The well-behaved member posts at 4 a second, under the default limit of 5. */
const CHAT_EVERY_MS = 250;

/** What the attackers saw. */
class Tally {
  sent = 0;
  /** Frames answered with an error, ack, welcome or page. */
  answered = 0;
  /** Frames that were in flight first when their connection closed (the likely cause of the close). */
  closedFrames = 0;
  connections = 0;
  stalls = 0;
  /** Answers with no frame waiting for one, and frames from the host that do not decode. */
  unexpectedAnswers = 0;
  badHostFrames: string[] = [];
  readonly answers = new Map<string, number>();
  readonly closes = new Map<number, number>();
  readonly closedKinds = new Map<string, number>();

  get settled(): number {
    return this.answered + this.closedFrames;
  }
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Hands out the corpus; frames that were never read because their connection closed go out again first. */
class Supply {
  private readonly returned: BadFrame[] = [];
  private readonly source: Generator<BadFrame>;

  constructor(seed: number, count: number) {
    this.source = badFrames(seed, count);
  }

  next(): BadFrame | undefined {
    return this.returned.shift() ?? this.source.next().value ?? undefined;
  }

  giveBack(frames: BadFrame[]): void {
    this.returned.unshift(...frames);
  }
}

/** Frames that answer the frame before them (everything else a member gets is a broadcast). */
const ANSWERS = new Set<HostFrame['type']>(['error', 'ack', 'welcome', 'page']);

/**
 * One attacker connection: sends frames (IN_FLIGHT ahead), matches each answer to the oldest
 * frame waiting, and on a close counts the first waiting frame as closed and gives the rest
 * back. Resolves true when the connection was closed under it, false when the supply ran out.
 */
function attackOnce(port: number, supply: Supply, tally: Tally): Promise<boolean> {
  return new Promise((resolve) => {
    tally.connections++;
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`, {
      perMessageDeflate: false,
      rejectUnauthorized: false,
    });
    const pending: BadFrame[] = [];
    let done = false;
    let fingerprint = '';
    let nonce = '';
    ws.once('upgrade', (res) => {
      fingerprint = fingerprintOf((res.socket as TLSSocket).getPeerCertificate().raw);
    });
    /** A valid hello is signed here, for this connection, as a real member's would be. */
    const signed = (data: BadFrame['data']): BadFrame['data'] => {
      if (typeof data !== 'string' || !data.includes(SIGNED_HELLO.sig)) return data;
      const key = newKey();
      return data
        .replace(SIGNED_HELLO.pub, key.pub)
        .replace(SIGNED_HELLO.sig, key.signHello(nonce, fingerprint));
    };
    let stall: NodeJS.Timeout | undefined;
    const watch = (): void => {
      clearTimeout(stall);
      if (pending.length > 0) {
        stall = setTimeout(() => {
          tally.stalls++;
          ws.terminate();
        }, STALL_MS);
      }
    };
    const pump = (): void => {
      while (ws.readyState === WebSocket.OPEN && pending.length < IN_FLIGHT) {
        const frame = supply.next();
        if (!frame) break;
        pending.push(frame);
        tally.sent++;
        ws.send(signed(frame.data), { binary: frame.binary });
      }
      if (pending.length === 0 && ws.readyState === WebSocket.OPEN) {
        done = true;
        ws.close(1000);
      }
      watch();
    };
    // The host speaks first; the frames go once its challenge is in.
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      const decoded = isBinary ? null : decodeHostFrame(String(data));
      if (!decoded?.ok) {
        tally.badHostFrames.push(decoded ? decoded.message : 'a binary frame');
        return;
      }
      const frame = decoded.frame;
      if (frame.type === 'challenge' && nonce === '') {
        nonce = frame.nonce;
        pump();
        return;
      }
      if (!ANSWERS.has(frame.type)) return;
      if (!pending.shift()) tally.unexpectedAnswers++;
      tally.answered++;
      bump(tally.answers, frame.type === 'error' ? frame.code : frame.type);
      pump();
    });
    ws.on('close', (code) => {
      clearTimeout(stall);
      if (done && pending.length === 0) return resolve(false);
      bump(tally.closes, code);
      const [first, ...rest] = pending.splice(0);
      if (first) {
        tally.closedFrames++;
        bump(tally.closedKinds, first.kind);
      }
      supply.giveBack(rest);
      resolve(true);
    });
  });
}

/** A member that behaves: joins, then posts at a steady pace, each post awaiting its ack. */
class Member {
  readonly ws: WebSocket;
  readonly heard: string[] = [];
  readonly acked = new Set<string>();
  problems: string[] = [];
  private readonly welcomed: Promise<void>;
  private ackWaiter: ((cid: string) => void) | null = null;

  constructor(port: number, nick: string) {
    this.ws = new WebSocket(`wss://127.0.0.1:${port}/`, {
      perMessageDeflate: false,
      rejectUnauthorized: false,
    });
    this.ws.on('error', () => {});
    let fingerprint = '';
    this.ws.once('upgrade', (res) => {
      fingerprint = fingerprintOf((res.socket as TLSSocket).getPeerCertificate().raw);
    });
    const key = newKey();
    this.welcomed = new Promise((resolve) => {
      this.ws.on('message', (data) => {
        const decoded = decodeHostFrame(String(data));
        if (!decoded.ok) return void this.problems.push(`bad frame: ${decoded.message}`);
        const frame = decoded.frame;
        if (frame.type === 'challenge') {
          const sig = key.signHello(frame.nonce, fingerprint);
          this.ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, nick, pub: key.pub, sig }));
        } else if (frame.type === 'welcome') resolve();
        else if (frame.type === 'message' && frame.message.from.nick === 'Alice')
          this.heard.push(frame.message.text);
        else if (frame.type === 'ack') {
          this.acked.add(frame.cid);
          this.ackWaiter?.(frame.cid);
        } else if (frame.type === 'error') this.problems.push(`${frame.code}: ${frame.message}`);
      });
    });
    this.ws.on('close', (code) => this.problems.push(`closed with ${code}`));
    onTestFinished(() => this.ws.terminate());
  }

  join(): Promise<void> {
    return this.welcomed;
  }

  /** Posts and resolves once the host acknowledged it. */
  post(text: string, cid: string): Promise<void> {
    return new Promise((resolve) => {
      this.ackWaiter = (acked) => {
        if (acked !== cid) return;
        this.ackWaiter = null;
        resolve();
      };
      this.ws.send(JSON.stringify({ type: 'post', text, cid }));
    });
  }
}

function fetchInfo(port: number): Promise<{ status: number; info: RoomInfo }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: INFO_PATH, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, info: JSON.parse(body) as RoomInfo }));
    }).on('error', reject);
  });
}

const MiB = 1024 * 1024;

/**
 * A way to collect garbage on demand, so heap samples show what is really kept, not what is
 * waiting to be collected. Node hands out gc() to a new context once the flag is set.
 */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = exposeGc();
/** How often memory is sampled (each sample runs a full collection first). */
const SAMPLE_EVERY_MS = 500;

describe('fuzzing the room host', () => {
  it('yields the same frames for the same seed, of every kind', () => {
    const a = [...badFrames(7, 2_000)];
    const b = [...badFrames(7, 2_000)];
    expect(a).toEqual(b);
    expect(new Set(a.map((f) => f.kind))).toEqual(new Set(FRAME_KINDS));
    expect([...badFrames(8, 50)]).not.toEqual(a.slice(0, 50));
  });

  it(
    `answers or closes on each of ${FRAMES} bad frames while members keep chatting`,
    async () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      onTestFinished(() => errors.mockRestore());
      const host = await startHost();
      const alice = new Member(host.port, 'Alice');
      const bob = new Member(host.port, 'Bob');
      await Promise.all([alice.join(), bob.join()]);

      gc();
      const start = process.memoryUsage();
      let peakRss = start.rss;
      let peakHeap = start.heapUsed;
      let peakExternal = start.external;
      const sampler = setInterval(() => {
        gc();
        const now = process.memoryUsage();
        peakRss = Math.max(peakRss, now.rss);
        peakHeap = Math.max(peakHeap, now.heapUsed);
        peakExternal = Math.max(peakExternal, now.external + now.arrayBuffers);
      }, SAMPLE_EVERY_MS);
      onTestFinished(() => clearInterval(sampler));

      const tally = new Tally();
      const supply = new Supply(SEED, FRAMES);
      let attacking = true;
      /** Alice's acks by quarter of the run (by frames settled, not by time). */
      const acksByQuarter = [0, 0, 0, 0];
      const chatting = (async () => {
        for (let i = 0; attacking; i++) {
          await alice.post(`good ${i}`, `good-${i}`);
          acksByQuarter[Math.min(3, Math.floor((4 * tally.settled) / FRAMES))]!++;
          await new Promise((resolve) => setTimeout(resolve, CHAT_EVERY_MS));
        }
      })();

      const began = performance.now();
      await Promise.all(
        Array.from({ length: ATTACKERS }, async () => {
          while (await attackOnce(host.port, supply, tally));
        }),
      );
      const seconds = (performance.now() - began) / 1000;
      attacking = false;
      await chatting;
      clearInterval(sampler);

      const { status, info } = await fetchInfo(host.port);
      const summary = {
        seed: SEED,
        frames: FRAMES,
        seconds: Number(seconds.toFixed(1)),
        framesPerSecond: Math.round(FRAMES / seconds),
        sent: tally.sent,
        answered: tally.answered,
        closedFrames: tally.closedFrames,
        connections: tally.connections,
        answers: Object.fromEntries([...tally.answers].sort()),
        closes: Object.fromEntries(tally.closes),
        closedKinds: Object.fromEntries(tally.closedKinds),
        alicePosts: alice.acked.size,
        acksByQuarter,
        peakRssDeltaMiB: Math.round((peakRss - start.rss) / MiB),
        peakHeapDeltaMiB: Math.round((peakHeap - start.heapUsed) / MiB),
        peakBuffersDeltaMiB: Math.round((peakExternal - start.external - start.arrayBuffers) / MiB),
      };
      console.log('[fuzz]', JSON.stringify(summary, null, 2));

      // The host stayed up and well: it still answers, logged no bug, and nothing got polluted.
      expect(status).toBe(200);
      expect(info.id).toBe(host.id);
      expect(errors.mock.calls.filter((call) => String(call[0]).includes('unexpected error'))).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      // Every frame was answered or went down with its connection; nothing was swallowed.
      expect(tally.stalls).toBe(0);
      expect(tally.unexpectedAnswers).toBe(0);
      expect(tally.badHostFrames).toEqual([]);
      expect(tally.settled).toBe(FRAMES);
      const closes = [...tally.closes.values()].reduce((a, b) => a + b, 0);
      expect(tally.closedFrames).toBeLessThanOrEqual(closes);
      // The valid frames among the garbage worked.
      for (const kind of ['welcome', 'ack', 'page']) expect(tally.answers.get(kind)).toBeGreaterThan(0);
      // Memory stayed bounded: what the heap keeps after a collection (generously: the attackers
      // and their frames live in this process too), and the process as a whole.
      expect(peakHeap - start.heapUsed).toBeLessThan(100 * MiB);
      expect(peakRss - start.rss).toBeLessThan(300 * MiB);
      // The well-behaved members kept chatting all along: every post acked, in every quarter, and heard.
      expect(alice.problems).toEqual([]);
      expect(bob.problems).toEqual([]);
      for (const acks of acksByQuarter) expect(acks).toBeGreaterThan(0);
      expect(bob.heard).toEqual(Array.from({ length: alice.acked.size }, (_, i) => `good ${i}`));
    },
    60_000 + FRAMES * 5,
  );
});
