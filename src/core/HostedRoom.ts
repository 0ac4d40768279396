import { lanIPv4Addresses } from './lanAddresses';
import type { Endpoint, Hosting } from '../shared/api';
import type { RoomInfo } from '../shared/protocol';
import type { Advertisement, Discovery } from './discovery';
import type { HistoryStore } from './host/history';
import type { HostIdentity } from './identity';
import { verificationCode } from './identity/fingerprint';
import type { HostLimits } from './host/limits';
import type { GuessingReport } from './host/PasscodeGate';
import { RoomHost } from './host/RoomHost';

/**
 * A room this app hosts: the WebSocket host plus its mDNS advertisement, started and stopped
 * together so the TXT record's member count follows the room and goodbyes go out on stop.
 */
export class HostedRoom {
  private advertisement: Advertisement | null = null;

  /** The latest report of passcode guessing, shown while the room is still under it. */
  private lastGuessing: GuessingReport | null = null;

  private constructor(
    readonly host: RoomHost,
    /** The room's passcode, for the hosting person's own session in it; null when it takes none. */
    readonly passcode: string | null,
  ) {
    host.on('guessing', (report) => (this.lastGuessing = report));
  }

  static async start(opts: {
    name: string;
    hostNick: string;
    /** The hosting person's member id, when they sit in the room too: the host's nickname is theirs alone. */
    hostMemberId?: string;
    /** The host's TLS identity; its fingerprint is advertised as TXT `fp`. */
    identity: Pick<HostIdentity, 'key' | 'cert'>;
    port?: number;
    /** With `port`: take any free port if that one is taken (RoomHostOptions.portFallback). */
    portFallback?: boolean;
    /** The one local address to listen on; default every address (see RoomHostOptions). */
    bindAddress?: string;
    discovery: Discovery | null;
    /** The room's stable id and stored history (a restarted host is the same room). */
    roomId?: string;
    history?: HistoryStore;
    /** Rate limits and room size; defaults in host/limits.ts. */
    limits?: Partial<HostLimits>;
    /** Members must know it to join; absent or empty: anyone may. Advertised as TXT `pc`. */
    passcode?: string;
  }): Promise<HostedRoom> {
    const host = new RoomHost({
      identity: opts.identity,
      name: opts.name,
      hostNick: opts.hostNick,
      hostMemberId: opts.hostMemberId,
      port: opts.port ?? 0,
      ...(opts.portFallback && { portFallback: true }),
      ...(opts.bindAddress !== undefined && { bindAddress: opts.bindAddress }),
      roomId: opts.roomId,
      history: opts.history,
      limits: opts.limits,
      ...(opts.passcode ? { passcode: opts.passcode } : {}),
    });
    const port = await host.start();
    const room = new HostedRoom(host, opts.passcode || null);
    if (opts.discovery) {
      const info = host.info();
      try {
        const ad = opts.discovery.advertise({
          id: info.id,
          name: info.name,
          host: info.host,
          port,
          members: info.members,
          fingerprint: host.fingerprint,
          ...(info.passcode && { passcode: true }),
        });
        host.on('count', (count) => ad.update(count));
        room.advertisement = ad;
      } catch (err) {
        await host.stop(); // never leave a listening room behind a failed start
        throw err;
      }
    }
    return room;
  }

  get info(): RoomInfo {
    return this.host.info();
  }

  /** What the window shows: the room plus `address:port` for each LAN interface, read fresh. */
  get hosting(): Hosting {
    const addresses = lanIPv4Addresses().map((address) => `${address}:${this.port}`);
    const guessing = this.host.underGuessing ? this.lastGuessing : null;
    return { ...this.info, addresses, code: this.code, ...(guessing && { guessing }) };
  }

  /** SHA-256 fingerprint of the certificate the room presents. */
  get fingerprint(): string {
    return this.host.fingerprint;
  }

  /** The verification code members compare with the host (see identity/fingerprint.ts). */
  get code(): string {
    return verificationCode(this.host.fingerprint);
  }

  get port(): number {
    return this.host.port;
  }

  /** Where the hosting person's own session reaches the room: loopback, whatever the LAN does. */
  get localEndpoint(): Endpoint {
    return { host: '127.0.0.1', port: this.host.port };
  }

  /** Goodbye packets first, so the lobby drops the room before its members see the close. */
  async stop(): Promise<void> {
    await this.advertisement?.stop();
    await this.host.stop();
  }
}
