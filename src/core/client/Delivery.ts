import { encodeFrame } from '../../shared/codec';
import { ErrorCode, LIMITS, PostFrame, type AckFrame } from '../../shared/protocol';
import { backoffDelay, type BackoffOptions } from './backoff';
import { newCid } from './cid';
import type { Problem } from '../../shared/problem';
import type { OutboxStore, PendingPost } from './outbox';

/** Spacing of resends after the host could not store a post; default 1 s doubling to 30 s. */
export const STORAGE_RETRY_DEFAULTS = { initialMs: 1_000, maxMs: 30_000 } as const;

/** How long to hold posts back after the host said we post too fast; doubling while it repeats. */
const RATE_HOLD = { initialMs: 1_000, maxMs: 15_000 } as const;

/**
 * Most posts sent but not yet acknowledged. A window, like TCP's: a long outbox (after a
 * reconnect, or typed while held back) drains at the pace the host acknowledges, instead of
 * arriving all at once and tripping the host's rate limit and flood cut.
 */
export const SEND_WINDOW = 16;

/** What Delivery needs from its RoomClient. */
export interface DeliveryHooks {
  /** Sends an encoded frame on the current session; false when there is none (not online). */
  send(frame: string): boolean;
  acked(cid: string, id: string, seq: number): void;
  /** A post the host refused for good, or a notice that posts are held back for a while. */
  problem(problem: Problem): void;
}

/**
 * At-least-once delivery of a member's posts, in order: every post is written to the outbox
 * before it is sent, and leaves it only when the host acknowledges its cid. Posts go out in
 * outbox order through a small window; after each welcome, and after the host asked us to
 * wait (too fast, or it could not store), the whole outbox is sent again from the start. The
 * host stores a cid once, so resending is safe and the room sees each post exactly once.
 */
export class Delivery {
  /** Cids sent on this session and not yet answered. */
  private readonly inFlight = new Set<string>();
  /** Set while posts are held back; when it fires, everything goes again, in order. */
  private hold: NodeJS.Timeout | null = null;
  /** Consecutive holds, for the backoff; reset by an acknowledgement. */
  private holds = 0;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly retryBackoff: BackoffOptions,
    private readonly hooks: DeliveryHooks,
  ) {}

  /**
   * Files a post in the outbox, then sends it if the window allows; returns its cid. A post no
   * host would accept (empty, too long, a malformed recipient) never enters the outbox, where
   * it would be refused again after every welcome: it is reported as refused straight away.
   * `cid` is the caller's choice (the window's); a cid already waiting is that same post, filed
   * once (the host stores a cid once too).
   */
  post(text: string, to?: string, cid: string = newCid()): string {
    if (this.isPending(cid)) return cid;
    const post: PendingPost = { cid, text, createdAt: Date.now(), ...(to !== undefined && { to }) };
    const refusal = checkPost(post);
    if (refusal) {
      queueMicrotask(() => this.hooks.problem({ ...refusal, cid: post.cid }));
      return post.cid;
    }
    this.outbox.add(post);
    this.pump();
    return post.cid;
  }

  pending(): PendingPost[] {
    return this.outbox.list();
  }

  /** After a welcome (or a hold): every waiting post, oldest first, including ones sent but never acked. */
  resendAll(): void {
    this.cancelHold();
    this.inFlight.clear();
    this.pump();
  }

  /** The session ended: nothing is in flight any more; the next welcome resends everything. */
  pause(): void {
    this.cancelHold();
    this.inFlight.clear();
  }

  onAck(ack: AckFrame): void {
    this.inFlight.delete(ack.cid);
    // A duplicate ack (the answer to a resend of a stored post) finds nothing left to do.
    if (!this.isPending(ack.cid)) return;
    this.holds = 0;
    this.outbox.remove(ack.cid);
    this.hooks.acked(ack.cid, ack.id, ack.seq);
    this.pump();
  }

  /**
   * An error frame about one of our posts; true when it was (so the client need not report it
   * again). RATE_LIMITED, STORAGE_FAILED and STORAGE_FULL mean "not now": posts are held back
   * (the storage ones with a backoff, doubling while the host's disk stays full) and then all
   * resent in order, so none overtakes another. Any other refusal (TEXT_TOO_LONG,
   * NO_SUCH_MEMBER, QUOTA_EXCEEDED, BAD_FRAME...) would be refused again if resent now, so the
   * post leaves the outbox and is reported failed with its code: a member over its daily quota
   * must not resend in a loop, and the person decides whether to send it again later.
   */
  onError(problem: Problem): boolean {
    const cid = problem.cid;
    if (cid === undefined) return false;
    this.inFlight.delete(cid);
    if (!this.isPending(cid)) return true; // about a post already settled: a resend's echo
    if (HELD_BACK.has(problem.code)) {
      if (!this.hold) {
        // No cid on the notice: the post is not lost, so the window must not mark it failed.
        this.hooks.problem({
          code: problem.code,
          message:
            problem.code === ErrorCode.RateLimited
              ? 'You are sending faster than this room allows; your messages will follow in a moment.'
              : `${problem.message} It will be sent again.`,
        });
        this.holdBack(problem.code === ErrorCode.RateLimited ? RATE_HOLD : this.retryBackoff);
      }
    } else {
      this.outbox.remove(cid);
      this.hooks.problem(problem);
      this.pump();
    }
    return true;
  }

  /** Sends waiting posts in outbox order while the window has room. */
  private pump(): void {
    if (this.hold) return;
    for (const post of this.outbox.list()) {
      if (this.inFlight.size >= SEND_WINDOW) return;
      if (this.inFlight.has(post.cid)) continue;
      if (!this.hooks.send(encodePost(post))) return;
      this.inFlight.add(post.cid);
    }
  }

  private holdBack(backoff: BackoffOptions): void {
    this.holds++;
    this.hold = setTimeout(
      () => {
        this.hold = null;
        this.resendAll();
      },
      backoffDelay(this.holds, backoff),
    );
  }

  private isPending(cid: string): boolean {
    return this.outbox.list().some((p) => p.cid === cid);
  }

  private cancelHold(): void {
    if (this.hold) clearTimeout(this.hold);
    this.hold = null;
  }
}

/** Refusals that mean "not now": the post stays in the outbox and goes again after a hold. */
const HELD_BACK = new Set<string>([ErrorCode.RateLimited, ErrorCode.StorageFailed, ErrorCode.StorageFull]);

/** Why the host would refuse this post whatever happens, or null if it may take it. */
function checkPost(post: PendingPost): { code: string; message: string } | null {
  const parsed = PostFrame.safeParse({ type: 'post', text: post.text, to: post.to, cid: post.cid });
  if (parsed.success) return null;
  if (post.text.length > LIMITS.maxTextChars) {
    return {
      code: ErrorCode.TextTooLong,
      message: `Message text is limited to ${LIMITS.maxTextChars} characters.`,
    };
  }
  const issue = parsed.error.issues[0];
  return {
    code: ErrorCode.BadFrame,
    message: `This message cannot be sent: ${issue?.path.join('.') || 'post'} ${issue?.message ?? 'is invalid'}.`,
  };
}

function encodePost(post: PendingPost): string {
  return encodeFrame(
    post.to === undefined
      ? { type: 'post', text: post.text, cid: post.cid }
      : { type: 'post', text: post.text, to: post.to, cid: post.cid },
  );
}
