/**
 * One bonjour-service instance bound to one IPv4 interface, with the pieces of bonjour-service
 * 1.4 that Discovery needs and the library does not offer safely: error routing, a browser whose
 * packet handling cannot throw into the socket, changing a published TXT record, and a query
 * answerer that keeps RFC 6762's once-per-second rule and answers a repeated question once
 * (Responder.ts says why it replaces bonjour-service's own).
 */
import { EventEmitter } from 'node:events';
import Bonjour from 'bonjour-service';
import { Responder, type MdnsRecord } from './Responder';

type Service = Bonjour.Service;
type Browser = Bonjour.Browser;

/** The multicast-dns object inside bonjour-service (untyped there). */
interface Mdns extends EventEmitter {
  query(...args: unknown[]): void;
  respond(packet: unknown, cb?: (err?: Error | null) => void): void;
}
interface Record_ {
  name: string;
  type: string;
  data: unknown;
}
/** bonjour-service's mdns-server.Server, of which only these members are used. */
interface Server {
  mdns: Mdns;
  registry: Record<string, Record_[] | undefined>;
  recordsFor(name: string, type: string): MdnsRecord[];
}

export interface PublishConfig {
  name: string;
  type: string;
  port: number;
  host: string;
  txt: Record<string, string>;
}

/** Longest we wait for a goodbye to be sent before carrying on with shutdown. */
const GOODBYE_TIMEOUT_MS = 1000;

export class MdnsInstance {
  private readonly bonjour: Bonjour;
  private readonly server: Server;
  private readonly responder: Responder;
  private destroyed = false;

  constructor(
    readonly address: string,
    private readonly onError: (err: Error) => void,
  ) {
    // `interface` alone binds the socket to the interface address, which receives no multicast
    // on Linux; binding 0.0.0.0 and joining the group on `interface` does.
    const opts = { interface: address, bind: '0.0.0.0' } as unknown as ConstructorParameters<
      typeof Bonjour
    >[0];
    // Without this callback bonjour-service throws send errors from inside a socket callback.
    this.bonjour = new Bonjour(opts, (err: unknown) => this.onError(asError(err)));
    this.server = (this.bonjour as unknown as { server: Server }).server;
    // multicast-dns emits 'error' for EADDRINUSE/EACCES: unhandled, that would crash the process.
    this.server.mdns.on('error', (err: unknown) => this.onError(asError(err)));
    this.server.mdns.on('warning', () => {
      // Interface changes (addMembership on a vanished address) are routine; nothing to do.
    });
    this.responder = this.takeOverAnswering();
  }

  /**
   * Replaces bonjour-service's query answerer (the Server's only 'query' listener, added in its
   * constructor) with ours, and routes every response the library sends through `noteSent`, so
   * announcements and goodbyes count towards each record's once-per-second interval too.
   */
  private takeOverAnswering(): Responder {
    const { mdns } = this.server;
    const server = this.server;
    const send = mdns.respond.bind(mdns);
    const responder = new Responder(
      {
        recordsFor: (name, type) => server.recordsFor(name, type),
        types: () => Object.keys(server.registry),
      },
      (packet) => {
        if (this.destroyed) return;
        send(packet, (err) => {
          if (err) this.onError(asError(err));
        });
      },
    );
    mdns.removeAllListeners('query');
    mdns.on('query', (query: unknown) => {
      try {
        responder.answer(query);
      } catch (err) {
        this.onError(asError(err));
      }
    });
    mdns.respond = (packet: unknown, ...rest: unknown[]) => {
      responder.noteSent(packet);
      (send as (...args: unknown[]) => void)(packet, ...rest);
    };
    return responder;
  }

  /**
   * A browser for `type` that reads packets through a relay, so that a throw inside
   * bonjour-service's response parsing (or in our event handlers) ends up in onError instead of
   * escaping from the socket's 'message' callback.
   */
  browse(type: string): Browser {
    const relay = new EventEmitter() as Mdns;
    relay.setMaxListeners(0);
    relay.query = (...args: unknown[]) => {
      if (!this.destroyed) this.server.mdns.query(...args);
    };
    this.server.mdns.on('response', (packet: unknown, rinfo: unknown) => {
      if (process.env.PARLEY_DEBUG?.includes('mdns')) {
        const p = packet as { answers?: { type: string; name: string }[] };
        const r = rinfo as { address?: string };
        console.error(
          `[mdns ${new Date().toISOString()}] response from ${r.address}: ${(p.answers ?? []).map((a) => `${a.type} ${a.name}`).join('; ')}`,
        );
      }
      try {
        relay.emit('response', packet, rinfo);
      } catch (err) {
        this.onError(asError(err));
      }
    });
    return new Bonjour.Browser(relay, { type });
  }

  /**
   * Publishes without probing: the instance name carries a hash of the room id, so it is unique
   * already, and probing would make a second instance of this same process (another interface,
   * which on Linux hears the first one's traffic through IP_MULTICAST_ALL) see the name as taken
   * and withdraw it.
   */
  publish(config: PublishConfig): Service {
    return this.bonjour.publish({ ...config, probe: false });
  }

  /**
   * Replaces the TXT record of a published service and announces it. bonjour-service 1.4 has no
   * updateTxt, and a goodbye plus re-publish would make the room blink out of every lobby.
   *
   * The record object is changed in place rather than unregistered and registered anew: the
   * registry's re-announcement timer (1 s, 3 s, 9 s, ... after publish) holds the very array of
   * records it registered, so a replaced record would be re-broadcast with the stale count later.
   * Editing the shared object keeps query answers and re-announcements current. The whole record
   * set is announced, because bonjour-service's browser only reads a TXT that arrives together
   * with the service's PTR and SRV records.
   */
  updateTxt(service: Service, txt: Record<string, string>): void {
    service.txt = txt;
    const data = Object.entries(txt).map(([key, value]) => Buffer.from(`${key}=${value}`));
    const registered = this.server.registry.TXT?.find(
      (r) => r.name.toLowerCase() === service.fqdn.toLowerCase(),
    );
    if (registered) registered.data = data;
    if (!service.activated || this.destroyed) return;
    this.server.mdns.respond({ answers: service.records() }, (err) => {
      if (err) this.onError(asError(err));
    });
  }

  /** Sends the service's goodbye (TTL 0 records); resolves once sent, or after a short timeout. */
  unpublish(service: Service): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, GOODBYE_TIMEOUT_MS);
      timer.unref();
      try {
        service.stop(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch (err) {
        clearTimeout(timer);
        this.onError(asError(err));
        resolve();
      }
    });
  }

  destroy(): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    this.destroyed = true;
    this.responder.stop();
    return new Promise<void>((resolve) => {
      try {
        this.bonjour.destroy(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
