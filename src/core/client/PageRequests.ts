import type { PageFrame } from '../../shared/protocol';

/** What to do with the answer to one fetch. */
interface Waiter {
  /** The fetch frame as sent, to send again if the host asks us to slow down. */
  frame: string;
  onPage(page: PageFrame): void;
  onFail(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Fetches in flight on one connection, matched to their pages by `ref`. Callbacks rather than
 * promises, so a page is handled in the same turn it arrives: frames behind it in the same
 * chunk (live messages) then see the state it left.
 */
export class PageRequests {
  private readonly waiting = new Map<string, Waiter>();
  private counter = 0;

  constructor(private readonly timeoutMs: number) {}

  /** A ref not used before in this client's lifetime. */
  nextRef(): string {
    return `f${++this.counter}`;
  }

  /** Waits for the page answering `ref`; fails after the timeout with a sentence for the user. */
  expect(
    ref: string,
    frame: string,
    onPage: (page: PageFrame) => void,
    onFail: (error: Error) => void,
  ): void {
    this.waiting.set(ref, { frame, onPage, onFail, timer: this.deadline(ref, onFail) });
  }

  /**
   * Sends every unanswered fetch again, with fresh deadlines. Used after the host refused a
   * fetch as too fast without naming its ref (a host from before refs were echoed), so all of
   * them go again; a page for a ref that was answered meanwhile is simply not waited for.
   */
  resendAll(send: (frame: string) => void): void {
    for (const ref of [...this.waiting.keys()]) this.resend(ref, send);
  }

  /** Sends the fetch `ref` again, with a fresh deadline (the host asked us to slow down). */
  resend(ref: string, send: (frame: string) => void): void {
    const waiter = this.waiting.get(ref);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    waiter.timer = this.deadline(ref, waiter.onFail);
    send(waiter.frame);
  }

  private deadline(ref: string, onFail: (error: Error) => void): NodeJS.Timeout {
    return setTimeout(() => {
      this.waiting.delete(ref);
      onFail(new Error(`The room did not send the requested messages within ${this.timeoutMs / 1000} s.`));
    }, this.timeoutMs);
  }

  /** Hands a page to whoever asked for it; false for a page nobody is waiting for. */
  answer(page: PageFrame): boolean {
    const waiter = page.ref === undefined ? undefined : this.waiting.get(page.ref);
    if (!waiter) return false;
    this.waiting.delete(page.ref!);
    clearTimeout(waiter.timer);
    waiter.onPage(page);
    return true;
  }

  /** Whether a fetch under `ref` waits for its page. */
  has(ref: string): boolean {
    return this.waiting.has(ref);
  }

  /** The host answered the fetch `ref` with an error instead of a page: it fails now, not at its deadline. */
  refuse(ref: string, error: Error): void {
    const waiter = this.waiting.get(ref);
    if (!waiter) return;
    this.waiting.delete(ref);
    clearTimeout(waiter.timer);
    waiter.onFail(error);
  }

  /** Fails every request in flight (the connection they were asked on is gone). */
  failAll(reason: string): void {
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.onFail(new Error(reason));
    }
  }
}
