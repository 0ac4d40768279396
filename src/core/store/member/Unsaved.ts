import type { ChatMessage } from '../../../shared/protocol';
import type { PendingPost } from '../../client/outbox';
import type { KnownRoom } from './rows';

type OutboxChange = { room: string; add: PendingPost } | { room: string; remove: string };

/**
 * Writes the member database has not stored yet. Every write lands here first and is then
 * flushed in one transaction; while the disk refuses (full, read-only, gone), it stays here,
 * and reads merge it in, so nothing the member has is lost or hidden until the disk is back.
 */
export class Unsaved {
  secret: string | null = null;
  /** room -> seq -> message */
  readonly messages = new Map<string, Map<number, ChatMessage>>();
  /** room -> conversation -> seq */
  readonly markers = new Map<string, Map<string, number>>();
  readonly rooms = new Map<string, KnownRoom>();
  /** By room and cid; an add and a remove of the same post cancel out. */
  readonly outbox = new Map<string, OutboxChange>();
  /** Rooms whose every row is to be deleted; written before anything else, so a rejoin after it stands. */
  readonly forgotten = new Set<string>();
  /**
   * Rooms whose stored copy is to move to messages_aside (see MemberDatabase.setAside), with
   * when, and the messages of that copy that were still only here. Written after `forgotten`
   * and before `messages`, which then hold only the room's new history.
   */
  readonly setAside = new Map<string, { at: number; messages: ChatMessage[] }>();

  get empty(): boolean {
    return (
      this.secret === null &&
      this.messages.size === 0 &&
      this.markers.size === 0 &&
      this.rooms.size === 0 &&
      this.outbox.size === 0 &&
      this.forgotten.size === 0 &&
      this.setAside.size === 0
    );
  }

  /** Whether reads about `room` must merge in something not yet stored. */
  touches(room: string): boolean {
    return this.messages.has(room) || this.markers.has(room) || this.setAside.has(room);
  }

  /** Whether the room's stored rows are an old copy waiting to move aside: reads skip them. */
  asidePending(room: string): boolean {
    return this.setAside.has(room);
  }

  /** The room's copy goes aside: what of it is only here goes along, its read marks are dropped. */
  putAside(room: string, at: number): void {
    const earlier = this.setAside.get(room);
    const messages = [...(earlier?.messages ?? []), ...(this.messages.get(room)?.values() ?? [])];
    this.setAside.set(room, { at: earlier?.at ?? at, messages });
    this.messages.delete(room);
    this.markers.delete(room);
  }

  addMessages(room: string, messages: readonly ChatMessage[]): void {
    const byRoom = this.messages.get(room) ?? new Map<number, ChatMessage>();
    for (const message of messages) byRoom.set(message.seq, message);
    this.messages.set(room, byRoom);
  }

  markRead(room: string, conversation: string, seq: number): void {
    const byRoom = this.markers.get(room) ?? new Map<string, number>();
    byRoom.set(conversation, Math.max(seq, byRoom.get(conversation) ?? 0));
    this.markers.set(room, byRoom);
  }

  addPost(room: string, post: PendingPost): void {
    this.outbox.set(`${room}\0${post.cid}`, { room, add: post });
  }

  removePost(room: string, cid: string): void {
    const key = `${room}\0${cid}`;
    // Never stored: forgetting the add is the whole removal.
    if (this.outbox.has(key) && 'add' in this.outbox.get(key)!) this.outbox.delete(key);
    else this.outbox.set(key, { room, remove: cid });
  }

  /** Drops everything waiting for `room`, and marks its stored rows for deletion. */
  forget(room: string): void {
    this.messages.delete(room);
    this.markers.delete(room);
    this.rooms.delete(room);
    for (const [key, change] of this.outbox) if (change.room === room) this.outbox.delete(key);
    this.setAside.delete(room);
    this.forgotten.add(room);
  }

  clear(): void {
    this.forgotten.clear();
    this.setAside.clear();
    this.secret = null;
    this.messages.clear();
    this.markers.clear();
    this.rooms.clear();
    this.outbox.clear();
  }
}
