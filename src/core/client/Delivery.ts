import { encodeFrame } from '../../shared/codec';
import { ErrorCode, LIMITS, PostFrame, type AckFrame } from '../../shared/protocol';
import { backoffDelay, type BackoffOptions } from './backoff';
import { newCid } from './cid';
import type { Problem } from './Link';
import type { OutboxStore, PendingPost } from './outbox';

/** Spacing of resends after the host could not store a post; default 1 s doubling to 30 s. */
export const STORAGE_RETRY_DEFAULTS = { initialMs: 1_000, maxMs: 30_000 } as const;

/** What Delivery needs from its RoomClient. */
export interface DeliveryHooks {
  /** Sends an encoded frame on the current session; false when there is none (not online). */
  send(frame: string): boolean;
  acked(cid: string, id: string, seq: number): void;
  /** A post the host refused for good, or a notice that one will be retried. */
  problem(problem: Problem): void;
}

/**
 * At-least-once delivery of a member's posts: every post is written to the outbox before it
 * is sent, and leaves it only when the host acknowledges its cid. Everything still in the
 * outbox is resent after each welcome; the host stores a cid once, so resending is safe and
 * the room sees each post exactly once.
 */
export class Delivery {
  /** Posts the host could not store, by cid: when to try again. */
  private readonly retries = new Map<string, { attempt: number; timer: NodeJS.Timeout | null }>();

  constructor(
    private readonly outbox: OutboxStore,
    private readonly retryBackoff: BackoffOptions,
    private readonly hooks: DeliveryHooks,
  ) {}

  /**
   * Files a post in the outbox, then sends it if a session is up; returns its cid. A post no
   * host would accept (empty, too long, a malformed recipient) never enters the outbox, where
   * it would be refused again after every welcome: it is reported as refused straight away.
   */
  post(text: string, to?: string): string {
    const post: PendingPost = { cid: newCid(), text, createdAt: Date.now(), ...(to !== undefined && { to }) };
    const refusal = checkPost(post);
    if (refusal) {
      queueMicrotask(() => this.hooks.problem({ ...refusal, cid: post.cid }));
      return post.cid;
    }
    this.outbox.add(post);
    this.hooks.send(encodePost(post));
    return post.cid;
  }

  pending(): PendingPost[] {
    return this.outbox.list();
  }

  /** After a welcome: every waiting post, oldest first, including ones sent but never acked. */
  resendAll(): void {
    this.cancelTimers();
    for (const post of this.outbox.list()) if (!this.hooks.send(encodePost(post))) return;
  }

  /** The session ended: resends wait for the next welcome, which resends everything anyway. */
  pause(): void {
    this.cancelTimers();
  }

  onAck(ack: AckFrame): void {
    // A duplicate ack (the answer to a resend of a stored post) finds nothing left to do.
    if (!this.isPending(ack.cid)) return;
    this.forget(ack.cid);
    this.hooks.acked(ack.cid, ack.id, ack.seq);
  }

  /**
   * An error frame about one of our posts; true when it was (so the client need not report
   * it again). Only STORAGE_FAILED is worth retrying; any other refusal (TEXT_TOO_LONG,
   * NO_SUCH_MEMBER, BAD_FRAME...) would be refused again, so the post is dropped and reported.
   */
  onError(problem: Problem): boolean {
    const cid = problem.cid;
    if (cid === undefined) return false;
    if (!this.isPending(cid)) return true; // about a post already settled: a resend's echo
    if (problem.code === ErrorCode.StorageFailed) {
      this.scheduleRetry(cid);
      // No cid on the notice: the post is not lost, it is still pending and will be resent.
      this.hooks.problem({ code: problem.code, message: `${problem.message} It will be sent again.` });
    } else {
      this.forget(cid);
      this.hooks.problem(problem);
    }
    return true;
  }

  private scheduleRetry(cid: string): void {
    const entry = this.retries.get(cid) ?? { attempt: 0, timer: null };
    if (entry.timer) clearTimeout(entry.timer);
    entry.attempt++;
    entry.timer = setTimeout(
      () => {
        entry.timer = null;
        const post = this.outbox.list().find((p) => p.cid === cid);
        if (post) this.hooks.send(encodePost(post));
      },
      backoffDelay(entry.attempt, this.retryBackoff),
    );
    this.retries.set(cid, entry);
  }

  private isPending(cid: string): boolean {
    return this.outbox.list().some((p) => p.cid === cid);
  }

  private forget(cid: string): void {
    this.outbox.remove(cid);
    const entry = this.retries.get(cid);
    if (entry?.timer) clearTimeout(entry.timer);
    this.retries.delete(cid);
  }

  private cancelTimers(): void {
    for (const entry of this.retries.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
    }
  }
}

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
