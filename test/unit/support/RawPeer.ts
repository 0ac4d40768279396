import { randomBytes, randomUUID } from 'node:crypto';
import { onTestFinished } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { decodeHostFrame, encodeFrame } from '../../../src/shared/codec';
import {
  PROTOCOL_VERSION,
  type ClientFrame,
  type HostFrame,
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
   * protocol, not the pin); it is torn down when the test ends.
   */
  static async connect(port: number, opts: ClientOptions = {}): Promise<RawPeer> {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`, {
      perMessageDeflate: false,
      rejectUnauthorized: false,
      ...opts,
    });
    const peer = new RawPeer(ws);
    onTestFinished(() => {
      ws.terminate();
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
    hello: { key?: string; since?: number } = {},
    opts: ClientOptions = {},
  ): Promise<RawPeer & { welcome: WelcomeFrame; key: string }> {
    const peer = await RawPeer.connect(port, opts);
    const key = hello.key ?? newKey();
    peer.hello(nick, { ...hello, key });
    const welcome = await peer.next('welcome');
    return Object.assign(peer, { welcome, key });
  }

  /** Sends a hello (with a fresh random key unless given one). */
  hello(nick: string, extra: { key?: string; since?: number } = {}): void {
    const since = extra.since === undefined ? {} : { since: extra.since };
    this.send({ type: 'hello', v: PROTOCOL_VERSION, nick, key: extra.key ?? newKey(), ...since });
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

/** A member key like the real client's: random, and long enough for the schema. */
export function newKey(): string {
  return randomBytes(18).toString('base64url');
}
