/**
 * The one place where the sieges speak the Parley protocol as a member. Every attack that joins
 * a room goes through here: either the project's own RoomClient (options from `clientOptions`)
 * or, where the attack needs to misbehave below it (stall its reads, flood hellos, guess
 * passcodes), a raw WebSocket whose hello is built by `buildHello`.
 *
 * Why one module: the member identity is protocol business (since protocol 3 a key pair whose
 * signature covers the host's nonce and the certificate fingerprint); if it changes again,
 * `MemberIdentity`, `newIdentity`, `clientOptions`, `helloWaitsForChallenge` and `buildHello`
 * are all that change here, and the attacks keep working unchanged.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { Endpoint } from '../../../src/shared/api';
import { decodeHostFrame, encodeFrame } from '../../../src/shared/codec';
import { PROTOCOL_VERSION, type HostFrame, type WelcomeFrame } from '../../../src/shared/protocol';
import type { RoomClientOptions } from '../../../src/core/client/RoomClient';
import { pinnedWsTarget } from '../../../src/core/identity/tlsClient';
import { MemberKey } from '../../../src/core/memberKey';
import { passcodeKey, passcodeProof } from '../../../src/core/passcode';

/** Who a member is in one room: its key pair, which signs every hello. */
export interface MemberIdentity {
  readonly key: MemberKey;
}

/** A fresh member nobody has seen: what an attacker makes for every seat it grabs. */
export function newIdentity(): MemberIdentity {
  return { key: MemberKey.generate() };
}

/** The part of RoomClient's options that says who the member is. */
export function clientOptions(identity: MemberIdentity): Pick<RoomClientOptions, 'key'> {
  return { key: identity.key };
}

/** What the room says before the hello (every room speaks first; `salt` only with a passcode). */
export interface Challenge {
  nonce: string;
  salt?: string;
}

/** Whether a member must wait for the room's `challenge` before its hello: always, since protocol 3. */
export function helloWaitsForChallenge(_room: { passcode: boolean }): boolean {
  return true;
}

/** What goes into one hello. */
export interface HelloInput {
  identity: MemberIdentity;
  nick: string;
  since?: number;
  /** The room's challenge, if it sent one. */
  challenge?: Challenge;
  /** The passcode to prove against the challenge (the honest way). */
  passcode?: string;
  /**
   * A proof to send as is instead of deriving one from `passcode` (a guesser sends a wrong one
   * without spending the scrypt an honest member spends).
   */
  proof?: string;
  /** The fingerprint of the certificate this connection presented (for channel binding). */
  fingerprint?: string | null;
}

/** A wrong passcode proof, shaped right (43 base64url characters), costing the attacker nothing. */
export function wrongProof(): string {
  return randomBytes(32).toString('base64url');
}

/** The encoded hello frame for `input`. */
export function buildHello(input: HelloInput): string {
  const fingerprint = input.fingerprint ?? '';
  const nonce = input.challenge?.nonce ?? '';
  let proof = input.proof;
  const salt = input.challenge?.salt;
  if (proof === undefined && input.passcode !== undefined && salt !== undefined && fingerprint) {
    proof = passcodeProof(passcodeKey(input.passcode, salt), nonce, fingerprint);
  }
  return encodeFrame({
    type: 'hello',
    v: PROTOCOL_VERSION,
    nick: input.nick,
    pub: input.identity.key.pub,
    // Without a fingerprint or nonce (a connection that never finished TLS) no signature can be
    // valid; a well-formed wrong one lets the host answer it as it would any forgery.
    sig:
      fingerprint && nonce
        ? input.identity.key.signHello(nonce, fingerprint)
        : randomBytes(64).toString('base64url'),
    ...(input.since !== undefined && { since: input.since }),
    ...(proof !== undefined && { proof }),
  });
}

/** How a raw join ended. */
export type JoinOutcome =
  | { kind: 'welcome'; welcome: WelcomeFrame }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'closed'; code: number }
  | { kind: 'failed'; message: string };

/** What a refused join is counted under in an attack's report: the error code, `close N`, or `failed`. */
export function refusalOf(outcome: Exclude<JoinOutcome, { kind: 'welcome' }>): string {
  if (outcome.kind === 'error') return outcome.code;
  return outcome.kind === 'closed' ? `close ${outcome.code}` : 'failed';
}

/** Where and how a raw member connects. */
export interface RawTarget {
  endpoint: Endpoint;
  /** The room's certificate fingerprint (pinned), or null to accept any. */
  fingerprint: string | null;
  /** The source address to connect from (one of the attacker's aliases). */
  localAddress?: string;
  /** Whether the room sends a challenge first (see helloWaitsForChallenge). */
  passcode: boolean;
}

/**
 * One raw member connection: a WebSocket opened as Parley's client opens it (pinned, no
 * Origin, no compression) whose hello and reads the attack controls.
 */
export class RawMember {
  readonly ws: WebSocket;
  /** The certificate fingerprint the host presented. */
  presented: string | null = null;
  private readonly opened: Promise<Challenge | null>;
  private readonly frames: HostFrame[] = [];
  private keepFrames = true;
  private readonly waiters = new Set<() => void>();
  closeCode: number | null = null;
  lastError: string | null = null;

  constructor(readonly target: RawTarget) {
    const pinned = pinnedWsTarget(target.endpoint, target.fingerprint, {
      onPresented: (fp) => (this.presented = fp),
      handshakeTimeoutMs: 10_000,
    });
    this.ws = new WebSocket(pinned.url, {
      perMessageDeflate: false,
      maxPayload: 16 * 1024 * 1024,
      ...pinned.options,
      ...(target.localAddress !== undefined && { localAddress: target.localAddress }),
    });
    this.ws.on('error', (err) => (this.lastError = err.message));
    this.ws.on('message', (data) => {
      if (!this.keepFrames) return;
      const decoded = decodeHostFrame(data.toString());
      if (decoded.ok) this.frames.push(decoded.frame);
      this.wake();
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
    const waitsForChallenge = helloWaitsForChallenge(target);
    this.opened = new Promise((resolve) => {
      this.ws.once('open', () => {
        if (!waitsForChallenge) resolve(null);
      });
      if (!waitsForChallenge) return;
      const check = () => {
        const challenge = this.frames.find((f) => f.type === 'challenge');
        if (challenge?.type === 'challenge')
          resolve({ nonce: challenge.nonce, ...(challenge.salt !== undefined && { salt: challenge.salt }) });
        else if (this.closeCode !== null) resolve(null);
        else this.waiters.add(check);
      };
      check();
    });
  }

  private wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w();
  }

  /** Resolves once the socket is open (and the challenge, if any, has come); false if it closed first. */
  async ready(): Promise<boolean> {
    await Promise.race([this.opened, this.untilClosed()]);
    return this.ws.readyState === WebSocket.OPEN;
  }

  private untilClosed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
    });
  }

  /**
   * Sends the hello (built from `input` plus the challenge the room sent) and resolves with how
   * the host answered: a welcome, an error frame, a close, or a failure to connect at all.
   */
  async join(input: Omit<HelloInput, 'challenge' | 'fingerprint'>, timeoutMs = 10_000): Promise<JoinOutcome> {
    const challenge = await Promise.race([this.opened, this.untilClosed().then(() => null)]);
    if (this.ws.readyState !== WebSocket.OPEN) {
      return this.closeCode !== null && this.lastError === null
        ? { kind: 'closed', code: this.closeCode }
        : { kind: 'failed', message: this.lastError ?? 'not open' };
    }
    this.ws.send(buildHello({ ...input, ...(challenge && { challenge }), fingerprint: this.presented }));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        resolve({ kind: 'failed', message: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      const check = () => {
        const answer = this.frames.find((f) => f.type === 'welcome' || f.type === 'error');
        let outcome: JoinOutcome | null = null;
        if (answer?.type === 'welcome') outcome = { kind: 'welcome', welcome: answer };
        else if (answer?.type === 'error')
          outcome = { kind: 'error', code: answer.code, message: answer.message };
        else if (this.closeCode !== null) outcome = { kind: 'closed', code: this.closeCode };
        if (!outcome) {
          this.waiters.add(check);
          return;
        }
        clearTimeout(timer);
        resolve(outcome);
      };
      check();
    });
  }

  /** Frames received after the handshake, in order (the attack drains what it needs). */
  take(): HostFrame[] {
    return this.frames.splice(0);
  }

  /** From now on frames are read and dropped (an attacker holding hundreds of seats). */
  ignoreFrames(): void {
    this.keepFrames = false;
    this.frames.length = 0;
  }

  /** Calls `fn` for every frame from now on (frames already received first), instead of keeping them. */
  onFrames(fn: (frame: HostFrame) => void): void {
    for (const f of this.frames.splice(0)) fn(f);
    this.keepFrames = false;
    this.ws.on('message', (data) => {
      const decoded = decodeHostFrame(data.toString());
      if (decoded.ok) fn(decoded.frame);
    });
  }

  /** Resolves once the connection has closed, with its close code. */
  closed(): Promise<number> {
    return new Promise((resolve) => {
      if (this.closeCode !== null) return resolve(this.closeCode);
      this.ws.once('close', (code) => resolve(code));
    });
  }

  /** Sends one member frame (post, fetch). */
  send(frame: Record<string, unknown> & { type: string }): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /**
   * Stops reading from the socket for good: what the host sends piles up in its buffers, not
   * ours. ws resumes a paused socket whenever its parser drains, so resume is disarmed too.
   */
  stallReading(): void {
    const socket = (this.ws as unknown as { _socket?: { pause(): void; resume: () => unknown } })._socket;
    if (!socket) return;
    socket.resume = () => socket;
    socket.pause();
  }

  /**
   * An unsolicited pong (RFC 6455 allows it as a heartbeat): the host sees traffic and keeps
   * the connection, though we read nothing it sends.
   */
  heartbeat(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.pong();
  }

  /** Cuts the connection at once. */
  destroy(): void {
    this.ws.terminate();
  }
}
