/**
 * The lobby the window shows, as a pure function of what discovery lists, the room this app
 * hosts, the rooms joined before, the certificate pins and the unread counts: no network, no
 * store, so every rule here is unit-tested without a ChatApp.
 *
 * The rules about certificates:
 *  - two certificates answering for one room id are two entries, never one;
 *  - of those, the one that is pinned (joined before), or this app's own, is the room; without
 *    either, the one discovery listed first is; every other is `suspect`;
 *  - 'changed' comes only from a connection this app made (see `presented`), never from an
 *    announcement: an announcement can only make an entry suspect.
 */
import type { Endpoint, LobbyRoom } from '../shared/api';
import { PROTOCOL_VERSION, type RoomInfo } from '../shared/protocol';
import type { DiscoveredRoom } from './discovery';

/** What the lobby is made from. */
export interface LobbyInputs {
  discovered: readonly DiscoveredRoom[];
  /** The rooms this app hosts. */
  hosted: readonly { info: RoomInfo; port: number; fingerprint: string }[];
  /** Rooms joined before (listed offline while their host is away). */
  known: readonly { id: string; name: string; host: string; endpoints: Endpoint[] }[];
  /** The certificate pinned for a room id, or null (never joined). */
  pinned(roomId: string): string | null;
  /** Whether the user compared the pinned certificate's code with the host. */
  verified(roomId: string): boolean;
  /**
   * The certificate a connection this app made to the room (joining it or checking its address)
   * was last presented, when it was not the pinned one; null otherwise.
   */
  presented(roomId: string): string | null;
  unread(roomId: string): number;
  /** Whether this app hosted the room before (a known room of ours is listed as ours, to host again). */
  hostedBefore(roomId: string): boolean;
  /** The verification code of a fingerprint. */
  code(fingerprint: string): string;
}

type TrustFields = Pick<LobbyRoom, 'fingerprint' | 'code' | 'trust' | 'verified' | 'pinnedCode' | 'suspect'>;

/** The lobby: our own rooms multicast did not bring, discovered rooms, then known ones offline. */
export function lobbyRooms(inputs: LobbyInputs): LobbyRoom[] {
  const { unread } = inputs;
  const rooms: LobbyRoom[] = inputs.discovered.map(({ suspect, ...r }) => ({
    ...r,
    mine: inputs.hosted.some((h) => h.info.id === r.id && h.fingerprint === r.fingerprint),
    online: true,
    unread: unread(r.id),
    ...trustOf(inputs, r.id, r.fingerprint, suspect),
  }));
  // Our own rooms are listed even where multicast does not loop back to us.
  const unlisted = inputs.hosted.filter((h) => !rooms.some((r) => r.mine && r.id === h.info.id));
  for (const hosted of unlisted.reverse()) {
    const mine = hosted.info;
    rooms.unshift({
      id: mine.id,
      name: mine.name,
      host: mine.host,
      members: mine.members,
      v: mine.v,
      endpoints: [{ host: '127.0.0.1', port: hosted.port }],
      ...(mine.passcode && { passcode: true }),
      mine: true,
      online: true,
      unread: unread(mine.id),
      ...trustOf(inputs, mine.id, hosted.fingerprint, false),
    });
  }
  // Rooms joined before whose host is away: readable from the saved copy.
  for (const known of inputs.known) {
    if (rooms.some((r) => r.id === known.id)) continue;
    rooms.push({
      id: known.id,
      name: known.name,
      host: known.host,
      members: 0,
      v: PROTOCOL_VERSION,
      endpoints: known.endpoints,
      mine: inputs.hostedBefore(known.id),
      online: false,
      unread: unread(known.id),
      ...trustOf(inputs, known.id, null, false),
    });
  }
  return rooms;
}

/**
 * How an entry's certificate (null: none known) stands: against this app's own room, else
 * against the pin, else as discovery ranked it (`listedSuspect`).
 */
function trustOf(
  inputs: LobbyInputs,
  roomId: string,
  shown: string | null,
  listedSuspect: boolean,
): TrustFields {
  const pinned = inputs.pinned(roomId);
  const own = inputs.hosted.find((h) => h.info.id === roomId)?.fingerprint ?? null;
  const fingerprint = shown ?? pinned;
  const suspect = isSuspect(shown, own, pinned, listedSuspect);
  const trust = standingOf(shown, own, pinned, inputs.presented(roomId));
  return {
    fingerprint,
    code: fingerprint === null ? null : inputs.code(fingerprint),
    trust,
    // Verified is about the certificate this entry shows: the pinned one, compared by the user.
    verified: own === null && pinned !== null && fingerprint === pinned && inputs.verified(roomId),
    pinnedCode:
      pinned !== null && fingerprint !== null && fingerprint !== pinned ? inputs.code(pinned) : null,
    suspect,
  };
}

/** Another certificate than ours, else than the pin, else than the one discovery listed first. */
function isSuspect(
  shown: string | null,
  own: string | null,
  pinned: string | null,
  listed: boolean,
): boolean {
  if (shown === null) return false;
  if (own !== null) return shown !== own;
  if (pinned !== null) return shown !== pinned;
  return listed;
}

/**
 * 'trusted': this app's own certificate, or the pinned one (or none shown: a room offline);
 * 'changed': the one a connection of ours was presented instead of the pin; 'new' otherwise,
 * which for a pinned room means an announced other certificate (a suspect entry).
 */
function standingOf(
  shown: string | null,
  own: string | null,
  pinned: string | null,
  presented: string | null,
): LobbyRoom['trust'] {
  if (own !== null && shown === own) return 'trusted';
  if (pinned === null) return 'new';
  if (shown === null || shown === pinned) return 'trusted';
  if (shown === presented) return 'changed';
  return 'new';
}

/**
 * The online entry room:join means: the one with `fingerprint` when given, else the one of that
 * id that is not suspect, else (only suspects answer for the id) the first of them, which the
 * caller refuses unless the user accepted it.
 */
export function entryToJoin(
  lobby: readonly LobbyRoom[],
  roomId: string,
  fingerprint?: string,
): LobbyRoom | undefined {
  const online = lobby.filter((r) => r.online && r.id === roomId);
  if (fingerprint !== undefined) return online.find((r) => r.fingerprint === fingerprint);
  return online.find((r) => !r.suspect) ?? online[0];
}
