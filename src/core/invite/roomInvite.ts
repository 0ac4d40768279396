import { BridgeError, BridgeErrorCode, type Endpoint } from '../../shared/api';
import type { HostedRooms } from '../HostedRooms';
import type { JoinedRooms } from '../JoinedRooms';
import { notInRoom } from '../joining';
import { lanIPv4Addresses } from '../lanAddresses';
import type { TrustStore } from '../trust';
import { formatInvite, MAX_INVITE_ADDRESSES } from './inviteLink';

export interface RoomInviteDeps {
  hosted: HostedRooms;
  rooms: JoinedRooms;
  trust: TrustStore;
  /** This machine's addresses others on the LAN reach (a parameter for tests). */
  lanAddresses?: () => string[];
}

/** Loopback and unspecified addresses reach nobody else: a link never carries them. */
function reachableByOthers({ host }: Endpoint): boolean {
  return (
    !/^127\./.test(host) && host !== '::1' && host !== 'localhost' && host !== '0.0.0.0' && host !== '::'
  );
}

/**
 * The invite link to a room this app is in: for a room it hosts, this machine's LAN addresses at
 * the room's port and its own certificate; for another, the addresses the session knows and the
 * pinned certificate (the one the user trusted). Never the passcode.
 */
export function roomInvite(roomId: string, deps: RoomInviteDeps): string {
  const hosted = deps.hosted.get(roomId);
  const session = deps.rooms.get(roomId);
  if (!hosted && !session) throw notInRoom(roomId);
  const room = hosted?.info ?? session!.roomInfo;
  const fingerprint = hosted?.fingerprint ?? deps.trust.pinned(roomId);
  if (!room || fingerprint === null) throw notInRoom(roomId);
  const endpoints = hosted
    ? (deps.lanAddresses ?? lanIPv4Addresses)().map((host) => ({ host, port: hosted.port }))
    : session!.knownEndpoints.filter(reachableByOthers);
  if (endpoints.length === 0) {
    throw new BridgeError(
      BridgeErrorCode.NoAddress,
      'No address others on the network can reach is known for this room.',
      {
        roomId,
      },
    );
  }
  return formatInvite({
    roomId,
    name: room.name,
    host: room.host,
    endpoints: endpoints.slice(0, MAX_INVITE_ADDRESSES),
    fingerprint,
    passcode: room.passcode === true,
  });
}
