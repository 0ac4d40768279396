import { EventEmitter } from 'node:events';
import type { BridgeEvents, Endpoint, Session } from '../shared/api';
import type { ChatMessage } from '../shared/protocol';
import { RoomClient } from './client/RoomClient';

/** Messages kept per session for a window that reloads; history proper lives with the host. */
const KEPT_MESSAGES = 500;

/**
 * The window's view of one joined room: wraps a RoomClient, keeps what it has received, and
 * turns client events into bridge events. Knowing which room it expects lets the app suspend
 * it when discovery says that room is gone from the network.
 */
export class RoomSession extends EventEmitter<BridgeEvents> {
  readonly client: RoomClient;
  private readonly messages: ChatMessage[] = [];
  private readonly seen = new Set<string>();
  /** Suspended because discovery lost the room; rejoin when it is announced again. */
  goneFromLan = false;
  /** The room has been listed in the lobby during this session (so its absence means something). */
  seenOnLan = false;
  /** The sentence the client gave with its latest state change. */
  private reason: string | null = null;

  constructor(
    endpoints: Endpoint[],
    nickname: string,
    /** The room id we expect, when joined from the lobby; null when joined by address. */
    readonly expectedRoomId: string | null,
  ) {
    super();
    this.client = new RoomClient({
      endpoints,
      nickname,
      roomId: expectedRoomId ?? undefined,
      backoff: { initialMs: 500, maxMs: 10_000, maxAttempts: 30 },
    });
    this.client.on('state', (_state, _attempt, reason) => {
      this.reason = reason;
      this.publish();
    });
    this.client.on('welcome', (welcome) => {
      for (const message of welcome.history) this.keep(message);
      this.publish();
    });
    this.client.on('message', (message) => {
      if (this.keep(message)) this.emit('message', { message });
    });
    this.client.on('joined', (member, count) => this.emit('presence', { kind: 'joined', member, count }));
    this.client.on('left', (member, count, reason) =>
      this.emit('presence', { kind: 'left', member, count, reason }),
    );
    this.client.on('problem', (problem) => this.emit('problem', problem));
  }

  /** The room's id once known: from the welcome, else the one we were asked to join. */
  get roomId(): string | null {
    return this.client.room?.id ?? this.expectedRoomId;
  }

  start(): void {
    this.client.start();
  }

  snapshot(): Session {
    return {
      room: this.client.room,
      address: this.client.address,
      state: this.client.state,
      attempt: this.client.attempt,
      reason: this.client.state === 'offline' ? this.reason : null,
      me: this.client.me,
      members: this.client.members,
      messages: [...this.messages],
    };
  }

  private publish(): void {
    this.emit('session', { session: this.snapshot() });
  }

  /** Returns false for a message already kept (a reconnect's backlog repeats what we have). */
  private keep(message: ChatMessage): boolean {
    if (this.seen.has(message.id)) return false;
    this.seen.add(message.id);
    this.messages.push(message);
    if (this.messages.length > KEPT_MESSAGES) {
      const dropped = this.messages.splice(0, this.messages.length - KEPT_MESSAGES);
      for (const old of dropped) this.seen.delete(old.id);
    }
    return true;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
