import type { PendingPost } from '../../shared/api';

export type { PendingPost };

/**
 * Where a member's posts wait until the host acknowledges them. The app keeps it in the
 * member database, so nothing typed is lost to a drop, a host restart or an app restart.
 */
export interface OutboxStore {
  /** Every waiting post, oldest first. */
  list(): PendingPost[];
  add(post: PendingPost): void;
  /** Forgets a post; a cid that is not there is ignored. */
  remove(cid: string): void;
}

/** An outbox that lives as long as its RoomClient: the default, and enough for tests and scripts. */
export class MemoryOutbox implements OutboxStore {
  private readonly posts = new Map<string, PendingPost>();

  list(): PendingPost[] {
    return [...this.posts.values()];
  }

  add(post: PendingPost): void {
    this.posts.set(post.cid, post);
  }

  remove(cid: string): void {
    this.posts.delete(cid);
  }
}
