import { randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { onTestFinished } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { fingerprintOf } from '../../../src/core/identity/fingerprint';
import { MemberKey } from '../../../src/core/memberKey';
import { decodeHostFrame, encodeFrame } from '../../../src/shared/codec';
import {
  PROTOCOL_VERSION,
  type ChallengeFrame,
  type ClientFrame,
  type HelloFrame,
  type HostFrame,
  type Member,
  type WelcomeFrame,
} from '../../../src/shared/protocol';

type FrameOf<T extends HostFrame['type']> = Extract<HostFrame, { type: T }>;

/** How long a peer waits for a frame before failing the test with a clear message. */
const WAIT_MS = 5_000;

/**
 * A bare ws client that speaks the protocol by hand, so tests can send what the real client
 * never would (bad frames, other versions, silence) and see every frame the host sends.
 */
export class RawPeer {
  /** Resolves with the close code and reason once the socket is closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The challenge the host opened with (every connection gets one). */
  challenge!: ChallengeFrame;
  /** Fingerprint of the certificate the host presented on this connection. */
  fingerprint = '';
  /** The roster pages read after the welcome (see readRoster): the room as of the host's last presence frame. */
  roster: Member[] = [];
  private readonly frames: HostFrame[] = [];
  private waiter: (() => void) | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const decoded = decodeHostFrame(data.toString());
      if (!decoded.ok) throw new Error(`host sent a bad frame: ${decoded.message}`);
      this.frames.push(decoded.frame);
      this.waiter?.();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.waiter?.();
      }),
    );
  }

  /**
   * Opens a socket to the host on wss://127.0.0.1:port (any certificate: raw peers test the
   * protocol, not the pin) and reads the challenge it opens with; it is torn down when the
   * test ends.
   */
  static async connect(port: number, opts: ClientOptions = {}): Promise<RawPeer> {
    const peer = await RawPeer.open(port, opts);
    peer.challenge = await peer.next('challenge');
    return peer;
  }

  /** Opens a socket like connect() but reads nothing: the first frame is the test's to take. */
  static async open(port: number, opts: ClientOptions = {}): Promise<RawPeer> {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`, {
      perMessageDeflate: false,
      rejectUnauthorized: false,
      ...opts,
    });
    const peer = new RawPeer(ws);
    onTestFinished(() => {
      ws.terminate();
    });
    ws.once('upgrade', (res) => {
      const cert = (res.socket as TLSSocket).getPeerCertificate();
      peer.fingerprint = fingerprintOf(cert.raw);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return peer;
  }

  /**
   * Connects and joins as `nick` with `hello.key` (a fresh random one unless given) and
   * `hello.since`; resolves once welcomed.
   */
  static async join(
    port: number,
    nick: string,
    hello: HelloExtras = {},
    opts: ClientOptions = {},
  ): Promise<RawPeer & { welcome: WelcomeFrame; key: MemberKey }> {
    const peer = await RawPeer.connect(port, opts);
    const key = hello.key ?? newKey();
    peer.hello(nick, { ...hello, key });
    const welcome = await peer.next('welcome');
    await peer.readRoster();
    return Object.assign(peer, { welcome, key });
  }

  /** Reads the roster pages that follow a welcome, up to the one that says `done`, into `roster`. */
  async readRoster(): Promise<Member[]> {
    this.roster = [];
    for (;;) {
      const page = await this.next('roster');
      this.roster.push(...page.members);
      if (page.done) return this.roster;
    }
  }

  /**
   * Who this peer knows is present, itself included, once that is `count` members: its roster
   * with the presence frames that follow it applied (reading them), in join order.
   */
  async present(count: number, me: Member): Promise<Member[]> {
    const known = new Map(this.roster.map((m) => [m.id, m]));
    known.set(me.id, me);
    while (known.size !== count) {
      const presence = await this.next('presence');
      for (const { member } of presence.left) known.delete(member.id);
      for (const member of presence.joined) {
        known.delete(member.id);
        known.set(member.id, member);
      }
    }
    return [...known.values()];
  }

  /**
   * The hello a real member would send on this connection: signed by `key` (a fresh one unless
   * given) over the challenge's nonce and the certificate this connection presented.
   */
  helloFrame(nick: string, extra: HelloExtras = {}): HelloFrame {
    const key = extra.key ?? newKey();
    return {
      type: 'hello',
      v: PROTOCOL_VERSION,
      nick,
      pub: key.pub,
      sig: key.signHello(this.challenge.nonce, this.fingerprint),
      ...(extra.since !== undefined && { since: extra.since }),
      ...(extra.proof !== undefined && { proof: extra.proof }),
    };
  }

  /** Sends a hello (see helloFrame). */
  hello(nick: string, extra: HelloExtras = {}): void {
    this.send(this.helloFrame(nick, extra));
  }

  /** Sends a frame object, or raw text/bytes as they are. */
  send(frame: ClientFrame | string | Buffer): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : encodeFrame(frame));
  }

  /** Posts to the room (or privately) with the given cid or a fresh one; returns the cid. */
  post(text: string, extra: { to?: string; cid?: string } = {}): string {
    const cid = extra.cid ?? randomUUID();
    this.send({ type: 'post', text, ...extra, cid });
    return cid;
  }

  /** Asks for a page of history. */
  fetch(query: { before?: number; after?: number; limit?: number; ref?: string }): void {
    this.send({ type: 'fetch', ...query });
  }

  /**
   * The very next frame from the host. With `type`, that frame must be of the type: tests use
   * this to prove nothing else arrived first.
   */
  async next<T extends HostFrame['type']>(type?: T): Promise<FrameOf<T>> {
    const frame = await this.take();
    if (type !== undefined && frame.type !== type) {
      throw new Error(`expected a "${type}" frame, got ${JSON.stringify(frame)}`);
    }
    return frame as FrameOf<T>;
  }

  /** The next frame of `type`, skipping any others before it. */
  async nextOf<T extends HostFrame['type']>(type: T): Promise<FrameOf<T>> {
    for (;;) {
      const frame = await this.take();
      if (frame.type === type) return frame as FrameOf<T>;
    }
  }

  private async take(): Promise<HostFrame> {
    const deadline = Date.now() + WAIT_MS;
    while (this.frames.length === 0) {
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('socket closed while waiting for a frame');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame arrived within ${WAIT_MS} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.frames.shift()!;
  }
}

/** What a test may set in a hello: the key pair, `since`, a passcode proof. */
export interface HelloExtras {
  key?: MemberKey;
  since?: number;
  proof?: string;
}

/** A fresh member key pair, like a new member's. */
export function newKey(): MemberKey {
  return MemberKey.generate();
}

/**
 * Waits until each of `peers` (all joined) knows every one of them is present, reading the
 * presence frames that tell it: after this, no frame about these joins is left to arrive.
 */
export async function allPresent(...peers: (RawPeer & { welcome: WelcomeFrame })[]): Promise<void> {
  await Promise.all(peers.map((peer) => peer.present(peers.length, peer.welcome.you)));
}
