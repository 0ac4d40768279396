import type { Problem } from '../../shared/problem';
import { EventEmitter } from 'node:events';
import { WebSocket, type RawData } from 'ws';
import type { Endpoint } from '../../shared/api';
import { decodeHostFrame, encodeFrame } from '../../shared/codec';
import {
  CloseCode,
  ErrorCode,
  PROTOCOL_VERSION,
  type HostFrame,
  type WelcomeFrame,
} from '../../shared/protocol';
import { reason, ReasonCode, type Reason } from '../../shared/reasons';
import { verificationCode } from '../identity/fingerprint';
import { FingerprintMismatchError, pinnedWsTarget } from '../identity/tlsClient';
import type { MemberKey } from '../memberKey';
import { passcodeKey, passcodeProof } from '../passcode';
import { formatEndpoint } from '../../shared/endpoint';

/**
 * Largest frame accepted from a host. A welcome or a page carries up to LIMITS.pageMax (200)
 * messages of 8000 characters each, and JSON can spend 6 bytes on one character, so ~9.6 MB
 * is legitimate.
 */
const MAX_HOST_FRAME_BYTES = 16 * 1024 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long a graceful close may take before the socket is cut. */
const CLOSE_GRACE_MS = 1_000;

/** What a link says in its hello. */
export interface Hello {
  nick: string;
  /** Our key pair for this room: the hello is signed with it, and it names us. */
  key: MemberKey;
  /** The highest seq we already have of this room; absent when we have nothing. */
  since?: number;
  /**
   * The room's passcode, when we were given one: the hello then carries the proof for the
   * challenge. `keys` caches the derived key per salt across links of one join.
   */
  passcode?: { passcode: string; keys: Map<string, Buffer> };
}

/** Errors after which retrying with the same passcode cannot help: the reason each is. */
const PASSCODE_ERRORS = new Map<string, ReasonCode>([
  [ErrorCode.PasscodeRequired, ReasonCode.PasscodeRequired],
  [ErrorCode.BadPasscode, ReasonCode.BadPasscode],
  [ErrorCode.TooManyAttempts, ReasonCode.TooManyAttempts],
]);

/**
 * Errors after which retrying cannot help and is not tried: another protocol version, an
 * identity the room could not verify (a relay may be in between), or as many members from our
 * address as the room seats (one of them must leave first).
 */
const FATAL_ERRORS = new Map<string, ReasonCode>([
  [ErrorCode.VersionMismatch, ReasonCode.VersionMismatch],
  [ErrorCode.BadSignature, ReasonCode.IdentityRefused],
  [ErrorCode.TooManyFromAddress, ReasonCode.TooManyFromAddress],
]);

/** Close codes after which retrying cannot help, and why. */
const FATAL_CLOSES = new Map<number, ReasonCode>([
  [CloseCode.VersionMismatch, ReasonCode.VersionMismatch],
  [CloseCode.Unauthorized, ReasonCode.PasscodeRefused],
  [CloseCode.TooManyFromAddress, ReasonCode.TooManyFromAddress],
  [CloseCode.IdentityRefused, ReasonCode.IdentityRefused],
  [CloseCode.Replaced, ReasonCode.Replaced],
]);

/** Why the room's certificate is refused: the codes of the one trusted and the one shown instead. */
export function certChangedReason(mismatch: FingerprintMismatchError): Reason {
  return reason(ReasonCode.CertChanged, {
    pinned: verificationCode(mismatch.pinned),
    presented: verificationCode(mismatch.presented),
  });
}

/** How a link ended. */
export interface LinkEnd {
  /** A welcome arrived before the end (the link was a session, not just an attempt). */
  welcomed: boolean;
  /** Retrying cannot help (version mismatch, session taken over): go offline. */
  fatal: boolean;
  /** Why, for the window to say (the host's own words are not shown: they are not the user's language). */
  reason: Reason;
  /** The host presented a certificate other than the expected one; nothing was sent to it. */
  mismatch?: FingerprintMismatchError;
  /** The room turned the passcode down (missing, wrong, or too many tries): another may do. */
  passcodeRefused?: boolean;
}

/** Events of a Link; `end` comes exactly once and is the last. */
export type LinkEvents = {
  welcome: [welcome: WelcomeFrame];
  /** A frame after the welcome (message, ack, page, roster, presence; errors come as `problem`). */
  frame: [frame: Exclude<HostFrame, { type: 'welcome' | 'error' | 'challenge' }>];
  problem: [problem: Problem];
  end: [end: LinkEnd];
};

/**
 * One WebSocket to one endpoint: the hello/welcome handshake within a deadline, then the
 * session with a watchdog on the host's heartbeat. RoomClient strings links together.
 */
export class Link extends EventEmitter<LinkEvents> {
  readonly address: string;
  /** SHA-256 fingerprint of the certificate the host presented; null until the TLS handshake. */
  presented: string | null = null;
  private mismatch: FingerprintMismatchError | null = null;
  private readonly ws: WebSocket;
  private welcomed = false;
  private ended = false;
  /** Why we are ending the link ourselves, when we are. */
  private ownReason: Reason | null = null;
  private deadline: NodeJS.Timeout;
  private watchdog: NodeJS.Timeout | null = null;
  private helloSent = false;
  private readonly hello: Hello;

  /**
   * `expected` is the SHA-256 fingerprint the host's certificate must have (null: first
   * contact, any certificate; `presented` then tells which one was shown).
   */
  constructor(endpoint: Endpoint, hello: Hello, connectTimeoutMs: number, expected: string | null = null) {
    super();
    this.hello = hello;
    this.address = formatEndpoint(endpoint);
    // The pin is checked inside createConnection, before the upgrade request (and so the
    // hello) can be written: a wrong certificate never sees a byte of ours. No `agent`.
    const target = pinnedWsTarget(endpoint, expected, {
      onPresented: (fingerprint) => (this.presented = fingerprint),
      handshakeTimeoutMs: connectTimeoutMs,
    });
    // No `origin` option: the host refuses any handshake that carries one (see upgradeGuard).
    this.ws = new WebSocket(target.url, {
      perMessageDeflate: false,
      maxPayload: MAX_HOST_FRAME_BYTES,
      ...target.options,
    });
    this.deadline = setTimeout(
      () =>
        this.cut(reason(ReasonCode.NoAnswer, { address: this.address, seconds: connectTimeoutMs / 1000 })),
      connectTimeoutMs,
    );
    this.ws.on('error', (err) => {
      if (err instanceof FingerprintMismatchError) this.mismatch = err;
    });
    // The hello waits for the room's challenge, which comes first: it is signed over its nonce.
    this.ws.on('ping', () => this.watchdog?.refresh());
    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on('close', (code) => this.onClose(code));
  }

  /**
   * Says hello, signed over the challenge's nonce and the fingerprint of the certificate this
   * very connection presented, so the signature (and the passcode proof) is worth nothing on any
   * other channel. A room whose challenge carries a salt wants the passcode proof too; without a
   * passcode of ours, the hello goes without one and the room answers PASSCODE_REQUIRED.
   */
  private answerChallenge(nonce: string, salt: string | undefined): void {
    if (this.helloSent) return;
    const fingerprint = this.presented;
    if (fingerprint === null) {
      this.cut(reason(ReasonCode.BadCertificate));
      return;
    }
    this.helloSent = true;
    const { nick, key, since } = this.hello;
    const secret = salt === undefined ? undefined : this.hello.passcode;
    let proof: string | undefined;
    if (secret && salt !== undefined) {
      let derived = secret.keys.get(salt);
      if (!derived) {
        derived = passcodeKey(secret.passcode, salt);
        secret.keys.set(salt, derived);
      }
      proof = passcodeProof(derived, nonce, fingerprint);
    }
    this.send(
      encodeFrame({
        type: 'hello',
        v: PROTOCOL_VERSION,
        nick,
        pub: key.pub,
        sig: key.signHello(nonce, fingerprint),
        ...(since !== undefined && { since }),
        ...(proof !== undefined && { proof }),
      }),
    );
  }

  /** Sends an encoded frame; false if the socket cannot take it now. */
  send(text: string): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    try {
      this.ws.send(text, () => {});
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Closes with 1000 (the host tells the others we quit) and resolves once the socket is
   * closed. A link that is still connecting, or slow to close, is cut instead.
   */
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ownReason ??= reason(ReasonCode.Lost);
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(CloseCode.Normal);
      const timer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
      this.ws.once('close', () => clearTimeout(timer));
    } else {
      this.ws.terminate();
    }
    return closed;
  }

  /** Drops the link as a failed one (the client then reconnects), saying why. */
  abort(why: Reason): void {
    this.cut(why);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.watchdog?.refresh();
    if (isBinary) {
      this.emit('problem', { code: ErrorCode.BinaryFrame, message: 'The host sent a binary frame.' });
      return;
    }
    const decoded = decodeHostFrame(data.toString());
    if (!decoded.ok) {
      this.emit('problem', { code: decoded.code, message: `The host sent a bad frame: ${decoded.message}` });
      return;
    }
    const frame = decoded.frame;
    if (frame.type === 'error') {
      const { code, message } = frame;
      this.emit('problem', {
        code,
        message,
        ...(frame.cid !== undefined && { cid: frame.cid }),
        ...(frame.ref !== undefined && { ref: frame.ref }),
      });
      // Retrying cannot fix a version mismatch: stop now, saying so by code (the host's own
      // sentence is not in the user's language). Nor a missing or wrong passcode: the user has
      // to give (another) one.
      const refusal = PASSCODE_ERRORS.get(code);
      const fatal = FATAL_ERRORS.get(code);
      if (refusal)
        this.finish({ welcomed: this.welcomed, fatal: true, reason: reason(refusal), passcodeRefused: true });
      else if (fatal) this.finish({ welcomed: this.welcomed, fatal: true, reason: reason(fatal) });
    } else if (frame.type === 'challenge') {
      if (!this.welcomed) this.answerChallenge(frame.nonce, frame.salt);
    } else if (frame.type === 'welcome') {
      if (this.welcomed) return;
      this.welcomed = true;
      clearTimeout(this.deadline);
      // Clamped: past 2^31-1 ms Node fires a timer at once, which would turn a huge (bogus)
      // heartbeat into an instant disconnect.
      const silenceMs = Math.min(frame.heartbeatMs * 2.5, MAX_TIMER_MS);
      this.watchdog = setTimeout(() => this.cut(reason(ReasonCode.Silent)), silenceMs);
      this.emit('welcome', frame);
    } else if (this.welcomed) {
      this.emit('frame', frame);
    }
  }

  private onClose(code: number): void {
    const fatal = FATAL_CLOSES.get(code);
    if (fatal) {
      this.finish({
        welcomed: this.welcomed,
        fatal: true,
        reason: reason(fatal),
        ...(fatal === ReasonCode.PasscodeRefused && { passcodeRefused: true }),
      });
    } else if (this.mismatch && !this.welcomed) {
      const mismatch = this.mismatch;
      this.finish({ welcomed: false, fatal: false, reason: certChangedReason(mismatch), mismatch });
    } else {
      this.finish({ welcomed: this.welcomed, fatal: false, reason: this.describe(code) });
    }
  }

  private describe(code: number): Reason {
    if (this.ownReason) return this.ownReason;
    if (code === CloseCode.RoomFull) return reason(ReasonCode.RoomFull);
    if (!this.welcomed) return reason(ReasonCode.Unreachable, { address: this.address });
    if (code === CloseCode.GoingAway) return reason(ReasonCode.HostClosed);
    return reason(ReasonCode.Lost);
  }

  /** Terminates the socket; its close event then ends the link with `reason`. */
  private cut(why: Reason): void {
    this.ownReason ??= why;
    this.ws.terminate();
  }

  private finish(end: LinkEnd): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.deadline);
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.ws.readyState !== WebSocket.CLOSED) void this.close();
    this.emit('end', end);
  }
}
