/**
 * The bridge contract between the window and the core: every command the window may `send`
 * (payload and result schemas) and every event it may `subscribe` to. The preload, main's IPC
 * handler, the core's ChatApp and the e2e test bridge are all typed from this one file.
 */
import { z } from 'zod';
import {
  ChatMessageSchema,
  IdSchema,
  LIMITS,
  MAX_TXT_MEMBERS,
  MemberSchema,
  PresentMemberSchema,
  StatusSchema,
  NickSchema,
  RoomInfoSchema,
  RoomNameSchema,
  SeqSchema,
  TextSchema,
} from './protocol';
import { ReasonSchema } from './reasons';

/** What fills an error's sentence in the window: addresses, verification codes, versions… */
const ErrorParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));
export type ErrorParams = z.infer<typeof ErrorParamsSchema>;

export const LocaleSchema = z.enum(['en', 'zh-CN']);
export type Locale = z.infer<typeof LocaleSchema>;

/** The window's look: 'system' follows the operating system's light or dark choice. */
export const ThemeSchema = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof ThemeSchema>;

/**
 * How much of a room's own chatter notifies: every message, only mentions of you, or none.
 * Private messages to you and mentions always do. 'default' picks by the room's size.
 */
export const NotifyLevelSchema = z.enum(['default', 'all', 'mentions', 'nothing']);
export type NotifyLevel = z.infer<typeof NotifyLevelSchema>;

export const SettingsSchema = z.object({
  nickname: NickSchema,
  /** null follows the operating system's language. */
  locale: LocaleSchema.nullable(),
  /** A settings file from before themes existed reads as 'system'. */
  theme: ThemeSchema.default('system'),
  /** Do not disturb until this time (ms since the epoch); null: off. */
  quietUntil: z.number().int().min(0).nullable().default(null),
  /** Each room's notification level where it is not 'default', by room id. */
  notifyLevels: z.record(IdSchema, NotifyLevelSchema.exclude(['default'])).default({}),
  /** Start Parley when the user logs in, hidden in the tray. */
  startAtLogin: z.boolean().default(false),
  /**
   * What closing the window does where no tray icon is shown: ask each time, keep running in
   * the background, or quit. (With a tray, the window closes to it.)
   */
  closeAction: z.enum(['ask', 'background', 'quit']).default('ask'),
  /** The note that the window closed to the tray was shown (it is shown once). */
  trayNoted: z.boolean().default(false),
});
export type Settings = z.infer<typeof SettingsSchema>;

/** Where a room listens. `host` is an IPv4/IPv6 address or a host name. */
export const EndpointSchema = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
});
export type Endpoint = z.infer<typeof EndpointSchema>;

/**
 * A room in the lobby: one entry per room id and certificate, however many addresses announce
 * it. Two entries share an id when two certificates answer for it: all but one are `suspect`.
 */
export const LobbyRoomSchema = z.object({
  id: IdSchema,
  name: z.string(),
  host: z.string(),
  members: z.number().int().min(0),
  /** Protocol version the room advertises; a different one cannot be joined by this app. */
  v: z.number().int(),
  /** Best first: the addresses that answered as this room with this certificate, then the others. */
  endpoints: z.array(EndpointSchema),
  /** Present and true when joining takes a passcode (room:join's `passcode`). */
  passcode: z.boolean().optional(),
  /** This app is the room's host. */
  mine: z.boolean(),
  /** Announced on the network now; false for a room joined before whose host is offline. */
  online: z.boolean(),
  /** Messages in this room's saved copy that the user has not seen yet. */
  unread: z.number().int().min(0),
  /** SHA-256 fingerprint of the host's certificate as announced (or pinned); null if unknown. */
  fingerprint: z.string().nullable(),
  /** The verification code of `fingerprint`, to compare with the host aloud; null if unknown. */
  code: z.string().nullable(),
  /**
   * 'new': never joined (its certificate will be trusted on first join); 'trusted': it shows
   * the certificate pinned when it was first joined; 'changed': a connection this app made to
   * the room (joining it, or checking its address) was presented this entry's certificate in
   * place of the pinned one. An announcement alone never makes an entry 'changed': it makes it
   * `suspect`.
   */
  trust: z.enum(['new', 'trusted', 'changed']),
  /** The user compared the pinned certificate's verification code with the host (room:trust). */
  verified: z.boolean(),
  /**
   * The verification code of the certificate pinned for this room id, when this entry shows
   * another one (`trust` 'changed', or a `suspect` entry of a room joined before); else null.
   */
  pinnedCode: z.string().nullable(),
  /**
   * A possible impostor: another certificate answers for this room id, and that one is pinned
   * (joined before), is this app's own, or answered first. Joining it takes room:join with its
   * `fingerprint` and `acceptSuspect` (after warning the user); never the default.
   */
  suspect: z.boolean(),
});
export type LobbyRoom = z.infer<typeof LobbyRoomSchema>;

/** A message typed but not yet acknowledged by the host; it survives restarts. */
export const PendingPostSchema = z.object({
  cid: IdSchema,
  text: z.string(),
  to: IdSchema.optional(),
  createdAt: z.number().int(),
});
export type PendingPost = z.infer<typeof PendingPostSchema>;

export const ConnectionStateSchema = z.enum(['connecting', 'online', 'reconnecting', 'offline']);
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

/** One room the app is in (any number at once), and how the connection to it stands. */
export const SessionSchema = z.object({
  /** The room's id: known before joining (from the lobby, or the address's answer). */
  roomId: IdSchema,
  /** Null until the welcome names it (joining by address). */
  room: RoomInfoSchema.nullable(),
  /** The address we are connected or connecting to, as `host:port`. */
  address: z.string(),
  /**
   * The room answered at an address it was not known at when it last welcomed us (its host
   * came back on another port or address, and was found again by its id): where it was, and
   * where it is now. Absent until that happens.
   */
  moved: z.object({ from: z.string(), to: z.string() }).optional(),
  /**
   * The room's host answered with another history than the saved copy's (it lost or replaced
   * its data): the copy was set aside on this machine at `at` (ms since the epoch), `messages`
   * of them, and what the session shows is the host's history. Absent until that happens.
   */
  copySetAside: z.object({ at: z.number().int().min(0), messages: z.number().int().min(0) }).optional(),
  state: ConnectionStateSchema,
  /** Reconnect attempt number while `reconnecting`; 0 otherwise. */
  attempt: z.number().int().min(0),
  /**
   * Why the session is offline, or why its last attempt failed while reconnecting: a code with
   * its parameters, for the window to word; null otherwise.
   */
  reason: ReasonSchema.nullable(),
  /** Offline because the room turned the passcode down: room:reconnect with another may get in. */
  passcodeRefused: z.boolean(),
  me: MemberSchema.nullable(),
  /**
   * Who is present as far as this app has heard: `me` first, then join order. Right after a
   * welcome only `me`: the `roster` events that follow fill it in, `presence` events keep it.
   */
  /** Who is in the room (with `status` when away or busy), ourselves first. */
  members: z.array(PresentMemberSchema),
  /**
   * False while the roster pages after the welcome are still coming (`members` is partial:
   * someone missing from it may still be in the room); absent or true otherwise.
   */
  rosterDone: z.boolean().optional(),
  /** The latest messages (older ones via chat:load-earlier), oldest first, by seq. */
  messages: z.array(ChatMessageSchema),
  /** Whether messages older than the first one in `messages` exist (here or on the host). */
  earlier: z.boolean(),
  /**
   * The host removed every message below this seq (its retention policy): where the history
   * begins for good. Absent or 0 when it removed none.
   */
  removedBefore: z.number().int().min(0).optional(),
  /**
   * The longest post text the room's host accepts, in code points: what its welcome's `limits`
   * said, else LIMITS.maxTextChars (before a welcome, or from a host that says nothing).
   */
  maxTextChars: z.number().int().positive(),
  /** Your messages not yet acknowledged by the host, oldest first: shown as sending. */
  pending: z.array(PendingPostSchema),
  /** Unread count per conversation: '' is everyone, otherwise the other member's id. */
  unread: z.record(z.string(), z.number().int().min(0)),
  /** The room's verification code (of its host's certificate); null until known. */
  code: z.string().nullable(),
  /** The user compared that code with the host (room:trust); false: trusted on first use. */
  verified: z.boolean(),
  /** This app hosts the room, or hosted it before: room:host with its name brings it back. */
  hostedHere: z.boolean(),
});
export type Session = z.infer<typeof SessionSchema>;

/** The room this app hosts, with the addresses people can type into "Join by address". */
export const HostingSchema = RoomInfoSchema.extend({
  addresses: z.array(z.string()),
  /** The verification code of this host's certificate, for members to compare. */
  code: z.string(),
  /**
   * Present while the room's passcode is being guessed at: wrong passcodes in the last 10
   * minutes, and how many addresses and networks (/24, /64) they came from.
   */
  guessing: z
    .object({ failures: z.number().int(), addresses: z.number().int(), networks: z.number().int() })
    .optional(),
});
export type Hosting = z.infer<typeof HostingSchema>;

/** '' is the room's own conversation; a private one is named by the other member's id. */
const ConversationSchema = z.union([z.literal(''), IdSchema]);

/**
 * A desktop notification the core asks the shell to show (see core/attention): data, never
 * words; the shell words it in the user's language, as plain text.
 */
export const NotificationRequestSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    roomId: IdSchema,
    roomName: z.string(),
    conversation: ConversationSchema,
    seq: SeqSchema,
    from: z.string(),
    private: z.boolean(),
    mention: z.boolean(),
    /** Plain text, one line, at most PREVIEW_CODE_POINTS code points. */
    preview: z.string(),
  }),
  z.object({
    kind: z.literal('summary'),
    roomId: IdSchema,
    roomName: z.string(),
    /** How many messages would each have notified. */
    count: z.number().int().min(1),
    /** Whether any of them was private to the user or mentioned the user. */
    personal: z.boolean(),
    /** Where a click goes: the newest of them. */
    conversation: ConversationSchema,
    seq: SeqSchema,
  }),
]);
export type NotificationRequest = z.infer<typeof NotificationRequestSchema>;

export const SnapshotSchema = z.object({
  settings: SettingsSchema,
  lobby: z.array(LobbyRoomSchema),
  /** The rooms this app hosts, in the order they were started. */
  hosting: z.array(HostingSchema),
  /** The rooms this app is in, most recently joined first. */
  sessions: z.array(SessionSchema),
  /** Things the user must know that happened before the window opened (e.g. a corrupt database set aside). */
  problems: z.array(
    z.object({ code: z.string(), message: z.string(), params: ErrorParamsSchema.optional() }),
  ),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

const Empty = z.object({}).strict();
/** A room passcode as typed: it is only ever used to derive a key, never sent to the room. */
const PasscodeSchema = z.string().max(256);

/** A certificate's SHA-256 fingerprint: 64 lowercase hex digits. */
const FingerprintSchema = z.string().regex(/^[0-9a-f]{64}$/);
/** The longest invite link taken, in UTF-16 code units (a QR code of it stays easy to scan). */
export const MAX_LINK_CHARS = 2048;
/** Which part of an invite link was wrong (BAD_INVITE's params.fault). */
export const InviteFaultSchema = z.enum([
  'link',
  'room',
  'name',
  'host',
  'addresses',
  'fingerprint',
  'passcode',
]);
export type InviteFault = z.infer<typeof InviteFaultSchema>;

/** The payload of a command about one room the app hosts or is in. */
const InRoom = z.object({ roomId: IdSchema }).strict();

/** Every command: `send(name, payload)` resolves with `result` or rejects with a BridgeError. */
export const commands = {
  'app:snapshot': { payload: Empty, result: SnapshotSchema },
  'settings:update': {
    payload: z
      .object({
        nickname: NickSchema.optional(),
        locale: LocaleSchema.nullable().optional(),
        theme: ThemeSchema.optional(),
        /** Do not disturb until then (ms since the epoch); null turns it off. */
        quietUntil: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
        startAtLogin: z.boolean().optional(),
        closeAction: z.enum(['ask', 'background', 'quit']).optional(),
      })
      .strict(),
    result: SettingsSchema,
  },
  /** A room's notification level ('default': by its size); the settings as they now are. */
  'room:notify-level': {
    payload: z.object({ roomId: IdSchema, level: NotifyLevelSchema }).strict(),
    result: SettingsSchema,
  },
  /**
   * Where the user is: whether a Parley window has the focus, and the room and conversation it
   * shows. The window says so on every change; nothing notifies for what is being read.
   */
  'app:attention': {
    payload: z
      .object({
        focused: z.boolean(),
        viewing: z.object({ roomId: IdSchema, conversation: ConversationSchema }).strict().nullable(),
      })
      .strict(),
    result: Empty,
  },
  /** `passcode`: members must know it to join (absent or empty: anyone may). */
  'room:host': {
    payload: z.object({ name: RoomNameSchema, passcode: PasscodeSchema.optional() }).strict(),
    result: RoomInfoSchema,
  },
  /** Stops hosting the room (with goodbyes to its members); its history stays for "Host again". */
  'room:stop-hosting': { payload: InRoom, result: Empty },
  /**
   * `passcode`: for a room whose info or TXT says it takes one. `fingerprint` picks the lobby
   * entry when several share the id (default: the one that is not suspect). A suspect entry is
   * refused with SUSPECT_ROOM unless `acceptSuspect` is true (the user was warned and chose it);
   * one whose certificate differs from the room's pin must be trusted first (room:trust).
   */
  'room:join': {
    payload: z
      .object({
        roomId: IdSchema,
        passcode: PasscodeSchema.optional(),
        fingerprint: FingerprintSchema.optional(),
        acceptSuspect: z.literal(true).optional(),
      })
      .strict(),
    result: Empty,
  },
  /**
   * Asks an address for its room and certificate without joining, so the window can show the
   * verification code (and how it stands against the pin) before the user decides to join.
   */
  'room:check-address': {
    /**
     * `address` is `host:port`, or an invite link (`parley://join?…`): then each address the
     * link names is asked, pinned to the link's certificate from the TLS handshake on.
     */
    payload: z.object({ address: z.string().trim().min(1).max(MAX_LINK_CHARS) }).strict(),
    result: z.object({
      /** The address that answered, to pass to room:join-address. */
      address: z.string(),
      /** Whether the certificate came with an invite link (and the room presented that one). */
      invite: z.boolean(),
      room: RoomInfoSchema,
      fingerprint: FingerprintSchema,
      code: z.string(),
      trust: z.enum(['new', 'trusted', 'changed']),
      /** The code of the certificate pinned before, when `trust` is 'changed'; null otherwise. */
      pinnedCode: z.string().nullable(),
    }),
  },
  /**
   * Joins the room at `address`, pinned to exactly `fingerprint` (the certificate the user
   * confirmed after room:check-address): another one is refused with CERT_CHANGED.
   */
  'room:join-address': {
    payload: z
      .object({
        address: z.string().trim().min(1).max(300),
        fingerprint: FingerprintSchema,
        passcode: PasscodeSchema.optional(),
      })
      .strict(),
    /** The id of the room joined (the one the address answered for). */
    result: z.object({ roomId: IdSchema }),
  },
  /**
   * An invite link to a room this app is in (`parley://join?…`, see docs/PROTOCOL.md): its id,
   * name, host, the addresses others reach it at, its certificate's fingerprint and whether it
   * takes a passcode (never the passcode). NO_ADDRESS when no address others can reach is known.
   */
  'room:invite': {
    payload: z.object({ roomId: IdSchema }).strict(),
    result: z.object({ link: z.string().max(MAX_LINK_CHARS) }),
  },
  /**
   * Trust `fingerprint` for the room from now on, as verified: the user compared verification
   * codes with the host (before a first join, or after its certificate changed). Reconnects if
   * in that room.
   */
  'room:trust': {
    payload: z.object({ roomId: IdSchema, fingerprint: FingerprintSchema }).strict(),
    result: Empty,
  },
  /** Try the room again now; `passcode` replaces the one it turned down (see Session.passcodeRefused). */
  'room:reconnect': {
    payload: z.object({ roomId: IdSchema, passcode: PasscodeSchema.optional() }).strict(),
    result: Empty,
  },
  /**
   * Leaves the room: its connection closes, and the app no longer rejoins it at start. Its saved
   * copy stays (the lobby lists it to open or join again) until room:forget.
   */
  'room:leave': { payload: InRoom, result: Empty },
  /**
   * Leaves the room (if in it) and deletes its saved copy, outbox and read marks: it is no
   * longer listed unless the network announces it. Its certificate pin stays, so an impostor
   * answering for it later is still told apart. A room this app hosts keeps its history.
   */
  'room:forget': { payload: InRoom, result: Empty },
  /**
   * Posts `text` (to one member with `to`). `cid`: the client id the window chose when the
   * message was typed, as Matrix clients choose txnIds, so every answer about the post (`sent`,
   * a `problem`) names an id the window already has; the same cid again is the same post, sent
   * once. Absent: the core chooses one. Resolves with the cid.
   */
  'chat:send': {
    payload: z
      .object({ roomId: IdSchema, text: TextSchema, to: IdSchema.optional(), cid: IdSchema.optional() })
      .strict(),
    result: z.object({ cid: IdSchema }),
  },
  /** Older messages of a room, before `before` (a seq): from the host when online, else the saved copy. */
  'chat:load-earlier': {
    payload: z.object({ roomId: IdSchema, before: SeqSchema }).strict(),
    result: z.object({
      messages: z.array(ChatMessageSchema),
      more: z.boolean(),
      /** As in the session: the host removed every message below this seq (0: none). */
      removedBefore: z.number().int().min(0).optional(),
    }),
  },
  /** The user has seen a conversation up to `seq`. */
  'chat:mark-read': {
    payload: z.object({ roomId: IdSchema, conversation: z.string().max(64), seq: SeqSchema }).strict(),
    result: Empty,
  },
} as const;

/** The bridge events as an EventEmitter map: one payload argument each. */
export type BridgeEvents = { [E in EventName]: [EventPayload<E>] };

/**
 * Every event the window can subscribe to. Those about one room carry its `roomId`: the window
 * subscribes once and hears every room it is in, shown or not.
 */
export const events = {
  settings: SettingsSchema,
  /** A desktop notification to show (the shell displays it; windows may ignore it). */
  notify: NotificationRequestSchema,
  /**
   * What waits unread in every joined room together, and how much of it is private messages to
   * you: for the dock or taskbar badge and the tray. Sent when either changes.
   */
  unread: z.object({
    total: z.number().int().min(0),
    personal: z.number().int().min(0),
    /** Each joined room with anything unread, in the order joined (the tray lists them). */
    rooms: z.array(z.object({ roomId: IdSchema, name: z.string(), count: z.number().int().min(1) })),
  }),
  /**
   * Show this room and conversation: the user clicked a notification about message `seq`, or
   * the room in the tray's menu (no `seq`).
   */
  open: z.object({ roomId: IdSchema, conversation: ConversationSchema, seq: SeqSchema.optional() }),
  /**
   * The shell was handed an invite link (opened from another program, or a second launch): the
   * window offers it for the user to check and join; nothing is joined or asked yet. A link that
   * is not one comes with `fault` (see BAD_INVITE) instead of `room`.
   */
  invite: z.union([
    z.object({
      link: z.string().max(MAX_LINK_CHARS),
      room: z.object({ id: IdSchema, name: z.string(), host: z.string(), passcode: z.boolean() }),
    }),
    z.object({ link: z.string().max(MAX_LINK_CHARS), fault: InviteFaultSchema }),
  ]),
  lobby: z.object({ rooms: z.array(LobbyRoomSchema) }),
  /** A room this app hosts changed (started, member count, guessing); `room` null: stopped. */
  hosting: z.object({ roomId: IdSchema, room: HostingSchema.nullable() }),
  /** The whole session on every state change (join, welcome, reconnect); `session` null: left. */
  session: z.object({ roomId: IdSchema, session: SessionSchema.nullable() }),
  /** A new message in a room (live, or caught up after a reconnect). */
  message: z.object({ roomId: IdSchema, message: ChatMessageSchema }),
  /** The host stored one of your messages: it is no longer pending. */
  sent: z.object({ roomId: IdSchema, cid: IdSchema, id: IdSchema, seq: SeqSchema }),
  /**
   * One page of who was in the room before us, after each welcome (the session's `members`
   * starts over with just `me` then): add them quietly, it is not news. `done` on the last.
   */
  roster: z.object({
    roomId: IdSchema,
    members: z.array(PresentMemberSchema).max(LIMITS.rosterPage),
    done: z.boolean(),
  }),
  /**
   * Who joined and who left since the last such event, only real changes (never `me`; a
   * member appears at most once), and how many are in the room now: one notice per kind.
   */
  presence: z.object({
    roomId: IdSchema,
    joined: z.array(PresentMemberSchema).max(MAX_TXT_MEMBERS),
    left: z
      .array(z.object({ member: MemberSchema, reason: z.enum(['quit', 'dropped']) }))
      .max(MAX_TXT_MEMBERS),
    /** Members already present who are now away, busy or (`active`) available again. */
    statuses: z.array(z.object({ id: IdSchema, status: StatusSchema })).max(MAX_TXT_MEMBERS),
    count: z.number().int().min(0),
  }),
  /**
   * Something went wrong that no command is waiting for: in a room (`roomId`; e.g. a rejected
   * post, with its `cid`), or in the app (storage trouble).
   */
  problem: z.object({
    roomId: IdSchema.optional(),
    code: z.string(),
    message: z.string(),
    params: ErrorParamsSchema.optional(),
    cid: IdSchema.optional(),
  }),
} as const;

export type CommandName = keyof typeof commands;
export type EventName = keyof typeof events;
export type CommandPayload<C extends CommandName> = z.input<(typeof commands)[C]['payload']>;
export type CommandResult<C extends CommandName> = z.output<(typeof commands)[C]['result']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** The object the preload exposes as `window.parley` (and the e2e bridge imitates). */
export interface ParleyBridge {
  send<C extends CommandName>(command: C, payload: CommandPayload<C>): Promise<CommandResult<C>>;
  subscribe<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void;
}

/**
 * Errors the bridge returns carry a stable code, the parameters the window words it with (in
 * the user's language: lib/errorText.ts), and an English sentence for logs and for codes a
 * window does not know.
 */
export const BridgeErrorCode = {
  UnknownCommand: 'UNKNOWN_COMMAND',
  BadPayload: 'BAD_PAYLOAD',
  NotInRoom: 'NOT_IN_ROOM',
  NoSuchRoom: 'NO_SUCH_ROOM',
  BadAddress: 'BAD_ADDRESS',
  HostFailed: 'HOST_FAILED',
  VersionMismatch: 'VERSION_MISMATCH',
  /** The room's host presents another certificate than the one trusted for it. */
  CertChanged: 'CERT_CHANGED',
  /** The lobby entry may be an impostor (another certificate answers for its id): see room:join. */
  SuspectRoom: 'SUSPECT_ROOM',
  /** An invite link that is not one (params.fault: link, room, name, host, addresses, fingerprint, passcode). */
  BadInvite: 'BAD_INVITE',
  /** No address others on the network can reach is known for the room (room:invite). */
  NoAddress: 'NO_ADDRESS',
  /** Earlier messages could not be loaded (the room did not answer, or the link dropped). */
  FetchFailed: 'FETCH_FAILED',
  /** The IPC message did not come from the app's own window. */
  Forbidden: 'FORBIDDEN',
  Internal: 'INTERNAL',
} as const;
export type BridgeErrorCode = (typeof BridgeErrorCode)[keyof typeof BridgeErrorCode];

export class BridgeError extends Error {
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
    readonly params?: ErrorParams,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

export type ParsedCommand = {
  [C in CommandName]: { command: C; payload: z.output<(typeof commands)[C]['payload']> };
}[CommandName];

/** Parses an untrusted (command, payload) pair: the one place IPC input becomes typed. */
export function parseCommand(command: unknown, payload: unknown): ParsedCommand {
  if (typeof command !== 'string' || !Object.hasOwn(commands, command)) {
    const name = String(command).slice(0, 40);
    throw new BridgeError(BridgeErrorCode.UnknownCommand, `Unknown command "${name}".`, { command: name });
  }
  const name = command as CommandName;
  const parsed = commands[name].payload.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'payload';
    throw new BridgeError(
      BridgeErrorCode.BadPayload,
      `Invalid ${name} payload: ${where}: ${issue.message}.`,
      {
        command: name,
        field: where,
      },
    );
  }
  return { command: name, payload: parsed.data } as ParsedCommand;
}

/** Error shape that survives structured cloning across IPC (Error subclasses do not). */
export const WireErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  params: ErrorParamsSchema.optional(),
});
export type WireError = z.infer<typeof WireErrorSchema>;

/** The envelope main returns for every invoke, so codes survive Electron's error flattening. */
export type BridgeReply = { ok: true; result: unknown } | { ok: false; error: WireError };
