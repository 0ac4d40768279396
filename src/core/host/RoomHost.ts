import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type ServerOptions } from 'ws';
import {
  CloseCode,
  LIMITS,
  NickSchema,
  PROTOCOL_VERSION,
  RoomNameSchema,
  type RoomInfo,
} from '../../shared/protocol';
import type { HostIdentity } from '../identity';
import { fingerprintOf } from '../identity/fingerprint';
import { startHeartbeat } from './heartbeat';
import { MemoryHistory, type HistoryStore } from './history';
import { infoRoute } from './infoRoute';
import { SocketLedger, type LedgerCounts } from './admission/SocketLedger';
import { resolveLimits, type HostLimits } from './limits';
import { PasscodeGate, type GuessingReport } from './PasscodeGate';
import { Room } from './Room';
import { refuseWebPages } from './upgradeGuard';

/** How a room is set up. */
export interface RoomHostOptions {
  /** The room's name, as the lobby shows it. */
  name: string;
  /** The host's TLS identity (PEM key and self-signed certificate): the room serves HTTPS/WSS only. */
  identity: Pick<HostIdentity, 'key' | 'cert'>;
  /** The hosting person's nickname (RoomInfo.host): reserved for `hostMemberId`. */
  hostNick: string;
  /**
   * The hosting person's member id in this room, when they also join it (the desktop app): only
   * that member is seated under `hostNick`. Absent (the headless host): nobody is; others asking
   * for it are numbered ("Host (2)").
   */
  hostMemberId?: string;
  /**
   * How long a member's nickname stays its own after it leaves (ms, default 24 h) and how many
   * such nicknames are held at most (default 10,000; the longest gone is given up first).
   */
  nicknames?: { reserveMs?: number; maxReserved?: number };
  /** Default: a random UUID. */
  roomId?: string;
  /** Default 0: any free port. */
  port?: number;
  /**
   * With `port`: when it is taken, listen on any free port instead of failing (a restarted host
   * asking for its room's remembered port, see HostDatabase.rememberPort).
   */
  portFallback?: boolean;
  /**
   * The one local address to listen on (IPv4 or IPv6); nothing answers on the others.
   * Default: every address (Node's dual-stack `::`, or `0.0.0.0` without IPv6).
   */
  bindAddress?: string;
  /** Default: a MemoryHistory of the last 10,000 messages (nothing survives the host). */
  history?: HistoryStore;
  /** How often members are pinged; default 10 s. A silent member is dropped within twice this. */
  heartbeatMs?: number;
  /** Rate limits, room size and other bounds; each one not given takes its HOST_LIMIT_DEFAULTS value. */
  limits?: Partial<HostLimits>;
  /** The milliseconds clock the rate limits run on; default performance.now. For tests. */
  clock?: () => number;
  /**
   * Members must know this to join (challenge and response; it never crosses the wire).
   * Absent or empty: anyone may join.
   */
  passcode?: string;
}

/** Events a RoomHost emits. */
export type RoomHostEvents = {
  /** The number of members changed. */
  count: [count: number];
  /**
   * The room is being guessed at: many wrong passcodes lately (first when it starts, then at
   * most once a minute while it lasts). Newcomers are slowed down room-wide meanwhile.
   */
  guessing: [report: GuessingReport];
};

/**
 * Node gives every TLS socket its own copy of the server's ALPN list ('http/1.1', 9 bytes), cut
 * from the shared Buffer pool, and keeps it in the socket's options for the socket's whole life,
 * though OpenSSL has its own copy by then. That sliver pins the whole pool chunk (64 KiB here) it
 * was cut from, and the joins' traffic fills a chunk every few members: ~10 KB of memory per idle
 * member that no GC frees (bench/fanout). Once the handshake is done nothing reads it; dropping it
 * lets the chunk go. `_tlsOptions` is Node's own field: if it ever goes away, this does nothing.
 */
function dropAlpnCopy(socket: TLSSocket): void {
  const options = (socket as unknown as { _tlsOptions?: { ALPNProtocols?: unknown } })._tlsOptions;
  if (options && typeof options === 'object') options.ALPNProtocols = undefined;
}

/**
 * Puts `admit` in front of TLS: every accepted TCP socket is judged before anything is spent
 * on it, and only the admitted ones are handed to the TLS server's own 'connection' listener
 * (which wraps the socket in a TLSSocket and an OpenSSL session: under a reconnecting flood,
 * ~2,000 a second from one laptop, making those only to throw them away cost the host ~170 MB
 * of garbage). Node's maxConnections is deliberately not set: it drops newcomers before anyone
 * can judge whose share they are. If Node ever attaches its listener differently, `admit`
 * still runs first (prepended) and what it refuses is already destroyed when TLS sees it.
 */
function admitBeforeTls(server: Server, admit: (socket: Socket) => boolean): void {
  const own = server.listeners('connection') as ((socket: Socket) => void)[];
  if (own.length !== 1) {
    server.prependListener('connection', (socket: Socket) => void admit(socket));
    return;
  }
  const wrapTls = own[0]!;
  server.removeListener('connection', wrapTls);
  server.on('connection', (socket: Socket) => {
    if (admit(socket)) wrapTls.call(server, socket);
  });
}

/**
 * Connections the kernel may hold accepted before Node takes them (Node's default is 511; the
 * kernel caps it at net.core.somaxconn, 4096 on current Linux). A laptop reconnecting as fast
 * as it can (~10,000 a second on loopback) overflows a short queue, and then the kernel drops
 * an honest member's SYN with the rest, costing it a 1 s retransmission; the ledger judges
 * every queued one in microseconds, so a longer queue only holds the flood for a moment.
 */
const LISTEN_BACKLOG = 4096;

/** How long stop() lets members finish their closing handshake before cutting them off. */
const STOP_GRACE_MS = 2_000;

/**
 * How long an idle HTTP keep-alive connection (an info probe) stays open (Node's default is
 * 5 s). Lobbies probe every few seconds on fresh connections anyway; a held-open probe socket
 * only counts against its address's unjoined share.
 */
const KEEP_ALIVE_MS = 1_000;

/**
 * Hosts one chat room: an HTTPS server (TLS with the host's self-signed certificate) whose WebSocket upgrades become members. Single-use:
 * once stopped, make a new one (on the same port, to let members reconnect).
 */
export class RoomHost extends EventEmitter<RoomHostEvents> {
  readonly id: string;
  /** SHA-256 fingerprint (64 lowercase hex) of the certificate the room presents. */
  readonly fingerprint: string;
  private readonly name: string;
  private readonly hostNick: string;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly room: Room;
  private readonly heartbeatMs: number;
  private readonly limits: HostLimits;
  private readonly gate: PasscodeGate | null;
  private readonly ledger: SocketLedger;
  private stopHeartbeat: (() => void) | null = null;
  private starting: Promise<number> | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly opts: RoomHostOptions) {
    super();
    // Checked here so a bad name fails loudly now, not as welcomes every member rejects later.
    this.name = RoomNameSchema.parse(opts.name);
    this.hostNick = NickSchema.parse(opts.hostNick);
    this.id = opts.roomId ?? randomUUID();
    this.fingerprint = fingerprintOf(opts.identity.cert);
    this.heartbeatMs = opts.heartbeatMs ?? 10_000;
    this.limits = resolveLimits(opts.limits);
    const now = opts.clock ?? (() => performance.now());
    this.gate = opts.passcode
      ? new PasscodeGate(opts.passcode, now, (report) => this.emit('guessing', report))
      : null;
    this.room = new Room({
      passcode: this.gate,
      fingerprint: this.fingerprint,
      info: () => this.info(),
      history: opts.history ?? new MemoryHistory(10_000),
      heartbeatMs: this.heartbeatMs,
      onCount: (count) => this.emit('count', count),
      limits: this.limits,
      now,
      nicknames: { ...opts.nicknames, hostNick: this.hostNick, hostMemberId: opts.hostMemberId },
      onSeated: (conn) => this.ledger.joined(conn.socket),
    });
    this.ledger = new SocketLedger(this.limits);
    const wsOptions: ServerOptions & { closeTimeout: number } = {
      noServer: true,
      maxPayload: LIMITS.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
      // A replaced or misbehaving socket should not linger for ws's default 30 s of closing.
      // (ws 8.23 reads this option; @types/ws does not declare it yet.)
      closeTimeout: 5_000,
    };
    this.wss = new WebSocketServer(wsOptions);
    // A socket that dribbles its request headers (slowloris) holds a slot like an idle
    // WebSocket does, so it gets no longer than the handshake timeout; the ledger's join
    // deadline bounds every unjoined socket's whole life anyway.
    const headersTimeout = Math.min(Math.max(this.limits.handshakeTimeoutMs, 1_000), 60_000);
    this.server = createServer(
      {
        key: opts.identity.key,
        cert: opts.identity.cert,
        // Parley talks only to Parley: TLS 1.3 alone, so no TLS 1.2 (CBC-SHA1) suite is offered.
        minVersion: 'TLSv1.3',
        handshakeTimeout: this.limits.tlsHandshakeTimeoutMs,
        headersTimeout,
        requestTimeout: headersTimeout,
        connectionsCheckingInterval: Math.min(headersTimeout, 30_000),
      },
      infoRoute(() => this.info()),
    );
    this.server.keepAliveTimeout = KEEP_ALIVE_MS;
    admitBeforeTls(this.server, (socket) => this.ledger.admit(socket));
    this.server.on('secureConnection', dropAlpnCopy);
    // A failed handshake (a reset socket, a TLS 1.2-only or garbage client) is that socket's end, nothing more.
    this.server.on('tlsClientError', (_err, socket) => socket.destroy());
    this.server.on('upgrade', (req, socket, head) => {
      if (refuseWebPages(req, socket)) return;
      if (this.stopping) {
        socket.destroy();
        return;
      }
      const address = req.socket.remoteAddress ?? '';
      this.wss.handleUpgrade(req, socket, head, (ws) => this.room.attach(ws, address, socket));
    });
  }

  /** Whether the room's passcode has had many wrong guesses lately (see PasscodeGate). */
  get underGuessing(): boolean {
    return this.gate?.underGuessing ?? false;
  }

  /** What the pre-TLS admission holds and has refused so far (tests and the siege report it). */
  admission(): LedgerCounts {
    return this.ledger.stats();
  }

  /** The local address the room listens on (`::` or `0.0.0.0` for all); '' before start(). */
  get boundAddress(): string {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.address : '';
  }

  /** The port the room listens on; 0 before start(). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  info(): RoomInfo {
    return {
      v: PROTOCOL_VERSION,
      id: this.id,
      name: this.name,
      host: this.hostNick,
      members: this.room.members.count,
      ...(this.gate && { passcode: true }),
    };
  }

  /** Starts listening; resolves with the port. Calling it again returns the same promise. */
  start(): Promise<number> {
    this.starting ??= new Promise<number>((resolve, reject) => {
      let fallback = this.opts.portFallback === true && Boolean(this.opts.port);
      const listen = (port: number): void => {
        this.server.listen({ port, host: this.opts.bindAddress, backlog: LISTEN_BACKLOG }, () => {
          this.server.off('error', onError);
          this.stopHeartbeat = startHeartbeat(this.room.conns, this.heartbeatMs);
          resolve(this.port);
        });
      };
      const onError = (err: NodeJS.ErrnoException): void => {
        if (err.code === 'EADDRINUSE' && fallback) {
          fallback = false;
          listen(0);
          return;
        }
        this.server.off('error', onError);
        reject(err);
      };
      this.server.on('error', onError);
      listen(this.opts.port ?? 0);
    });
    return this.starting;
  }

  /** Closes every member with 1001 and stops listening. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.stopHeartbeat?.();
    this.stopHeartbeat = null;
    await this.room.closeAll(CloseCode.GoingAway, 'host stopping', STOP_GRACE_MS);
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Idle keep-alive HTTP connections (info probes) and sockets still in or before their
      // TLS handshake would otherwise hold close() open.
      this.server.closeAllConnections();
      this.ledger.closeAll();
    });
  }
}
