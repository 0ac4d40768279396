import type Bonjour from 'bonjour-service';
import { SERVICE_TYPE } from '../../shared/protocol';
import type { MdnsInstance } from './MdnsInstance';
import { encodeTxt, instanceName, type AdvertisedRoom } from './txt';

/** A room we advertise. */
export interface Advertisement {
  /** Announces a new member count (throttled to about one announcement per second). */
  update(members: number): void;
  /** Withdraws the room: goodbye packets on every interface, awaited. */
  stop(): Promise<void>;
}

/** At most one TXT re-announcement per this long; changes in between go out together. */
const TXT_UPDATE_MIN_GAP_MS = 1000;

/** One advertised room, published on every interface (bonjour instance) Discovery uses. */
export class RoomAdvertisement implements Advertisement {
  private readonly services = new Map<MdnsInstance, Bonjour.Service>();
  private readonly name: string;
  private members: number;
  private lastSentAt = 0;
  private pending: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly hostName: string,
    private readonly room: AdvertisedRoom & { port: number },
    private readonly onStopped: (ad: RoomAdvertisement) => void,
  ) {
    this.members = room.members;
    this.name = instanceName(room.name, room.id);
    encodeTxt(room); // throws now, to the caller, if the room cannot be advertised
  }

  /** Publishes on an interface (at creation, or when an interface appears). */
  attach(instance: MdnsInstance): void {
    if (this.stopping || this.services.has(instance)) return;
    const txt = encodeTxt({ ...this.room, members: this.members });
    const config = { name: this.name, type: SERVICE_TYPE, port: this.room.port, host: this.hostName, txt };
    this.services.set(instance, instance.publish(config));
  }

  /** Forgets an interface that went away; its socket is closed, so no goodbye can go out on it. */
  detach(instance: MdnsInstance): void {
    this.services.delete(instance);
  }

  update(members: number): void {
    if (!Number.isInteger(members) || members < 0) {
      throw new RangeError(`Member count must be a non-negative integer, got ${members}.`);
    }
    if (this.stopping || members === this.members) return;
    this.members = members;
    if (this.pending) return; // the scheduled announcement will carry the newest count
    const wait = this.lastSentAt + TXT_UPDATE_MIN_GAP_MS - Date.now();
    if (wait <= 0) this.announce();
    else this.pending = setTimeout(() => this.announce(), wait);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.pending) clearTimeout(this.pending);
      this.pending = null;
      await Promise.all([...this.services].map(([instance, service]) => instance.unpublish(service)));
      this.onStopped(this);
    })();
    return this.stopping;
  }

  private announce(): void {
    this.pending = null;
    this.lastSentAt = Date.now();
    const txt = encodeTxt({ ...this.room, members: this.members });
    for (const [instance, service] of this.services) instance.updateTxt(service, txt);
  }
}
