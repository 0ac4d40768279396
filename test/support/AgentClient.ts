import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type {
  BridgeReply,
  CommandName,
  CommandPayload,
  CommandResult,
  EventName,
  EventPayload,
} from '../../src/shared/api';
import type { ChatMessage } from '../../src/shared/protocol';

/** The bridge error an agent answered with, code and sentence intact. */
export class AgentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Talks to a test agent (test/support/agent.ts) over its unix socket with the bridge contract:
 * typed `send`, every pushed event re-emitted, and `waitFor` to wait on an event, never a sleep.
 */
export class AgentClient extends EventEmitter {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: BridgeReply) => void>();
  /** The latest payload of each event, so a wait can be satisfied by what already arrived. */
  readonly latest = new Map<EventName, unknown>();
  /** Every chat message seen, from message events and session backlogs, by id. */
  readonly messages = new Map<string, ChatMessage>();
  /** Client ids the host acknowledged (`sent` events). */
  readonly acked = new Set<string>();
  /** The highest seq seen in message events and session snapshots. */
  lastSeq = 0;

  private constructor(private readonly socket: Socket) {
    super();
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buffer.slice(0, nl)) as
          { id: number; reply: BridgeReply } | { event: EventName; payload: unknown };
        buffer = buffer.slice(nl + 1);
        if ('id' in msg) {
          this.pending.get(msg.id)?.(msg.reply);
          this.pending.delete(msg.id);
        } else {
          this.latest.set(msg.event, msg.payload);
          this.record(msg.event, msg.payload);
          this.emit(msg.event, msg.payload);
          this.emit('*');
        }
      }
    });
  }

  private record(event: EventName, payload: unknown): void {
    const seen = (m: ChatMessage) => {
      this.messages.set(m.id, m);
      this.lastSeq = Math.max(this.lastSeq, m.seq);
    };
    if (event === 'message') {
      seen((payload as EventPayload<'message'>).message);
    } else if (event === 'session') {
      for (const m of (payload as EventPayload<'session'>).session?.messages ?? []) seen(m);
    } else if (event === 'sent') {
      this.acked.add((payload as EventPayload<'sent'>).cid);
    }
  }

  /** Resolves with the first message (already seen or arriving) that satisfies `test`. */
  async waitForMessage(
    test: (m: ChatMessage) => boolean,
    timeoutMs = 20_000,
    what = 'a message',
  ): Promise<ChatMessage> {
    const find = () => [...this.messages.values()].find(test);
    await this.waitUntil(() => find() !== undefined, timeoutMs, what);
    return find()!;
  }

  /** Resolves once `test()` holds, checking now and after every event; no polling, no sleeps. */
  waitUntil(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('*', check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        this.off('*', check);
        resolve();
      };
      this.on('*', check);
    });
  }

  /**
   * Resolves once the room has `count` members, by the host's count: the welcome's (the
   * session's room) or a presence batch's. The session's member list cannot say: after a
   * welcome it holds only us until the roster pages come.
   */
  waitForMembers(count: number, timeoutMs = 20_000): Promise<void> {
    const counted = () => {
      const presence = this.latest.get('presence') as EventPayload<'presence'> | undefined;
      const session = this.latest.get('session') as EventPayload<'session'> | undefined;
      return presence?.count === count || session?.session?.room?.members === count;
    };
    return this.waitUntil(counted, timeoutMs, `${count} members`);
  }

  /**
   * Takes in the app's state as a snapshot reports it. Events the agent emitted before this
   * client connected never reached it, so without this a wait for the lobby could miss a room
   * that was found in the first milliseconds and never changed since.
   */
  async syncFromSnapshot(): Promise<void> {
    const snapshot = await this.send('app:snapshot', {});
    // The reply is newer than every event that arrived before it on this socket.
    this.latest.set('settings', snapshot.settings);
    this.latest.set('lobby', { rooms: snapshot.lobby });
    const hosted = snapshot.hosting[0];
    if (hosted) this.latest.set('hosting', { roomId: hosted.id, room: hosted });
    const session = snapshot.sessions[0];
    if (session) this.latest.set('session', { roomId: session.roomId, session });
    for (const s of snapshot.sessions) this.record('session', { roomId: s.roomId, session: s });
    this.emit('*');
  }

  /** The id of the room the latest session event was about: the room a one-room test is in. */
  get roomId(): string {
    const latest = this.latest.get('session') as EventPayload<'session'> | undefined;
    if (!latest) throw new Error('this agent has not been in a room yet');
    return latest.roomId;
  }

  /** The id of the room the latest hosting event was about: the room a one-room test hosts. */
  get hostedRoomId(): string {
    const latest = this.latest.get('hosting') as EventPayload<'hosting'> | undefined;
    if (!latest) throw new Error('this agent has not hosted a room yet');
    return latest.roomId;
  }

  /** The app's session in `roomId` as a fresh snapshot has it; undefined when not in that room. */
  async sessionIn(roomId: string = this.roomId) {
    const { sessions } = await this.send('app:snapshot', {});
    return sessions.find((s) => s.roomId === roomId);
  }

  static connect(path: string): Promise<AgentClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path, () => resolve(new AgentClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a raw (command, payload) pair and returns the reply envelope as the agent sent it. */
  raw(command: string, payload: unknown): Promise<BridgeReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.write(JSON.stringify({ id, command, payload }) + '\n');
    });
  }

  async send<C extends CommandName>(command: C, payload: CommandPayload<C>): Promise<CommandResult<C>> {
    const reply = await this.raw(command, payload);
    if (!reply.ok) throw new AgentError(reply.error.code, reply.error.message);
    return reply.result as CommandResult<C>;
  }

  /**
   * Resolves with the first payload of `event` that satisfies `test`, checking the latest one
   * already received first. Rejects after `timeoutMs` naming what it waited for.
   */
  waitFor<E extends EventName>(
    event: E,
    test: (payload: EventPayload<E>) => boolean,
    timeoutMs = 20_000,
    what: string = event,
  ): Promise<EventPayload<E>> {
    const last = this.latest.get(event) as EventPayload<E> | undefined;
    if (last !== undefined && test(last)) return Promise.resolve(last);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(event, listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const listener = (payload: EventPayload<E>) => {
        if (!test(payload)) return;
        clearTimeout(timer);
        this.off(event, listener);
        resolve(payload);
      };
      this.on(event, listener);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
