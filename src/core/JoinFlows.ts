import type { CommandResult, Endpoint } from '../shared/api';
import { formatEndpoint } from '../shared/endpoint';
import { reason, ReasonCode } from '../shared/reasons';
import type { HostedRoom } from './HostedRoom';
import type { HostedRooms } from './HostedRooms';
import { verificationCode } from './identity';
import type { JoinedRooms } from './JoinedRooms';
import { parseInvite, looksLikeInvite, type Invite } from './invite/inviteLink';
import { certChanged, noSuchRoom, probeAddress, probeEndpoint, requireVersion, suspectRoom } from './joining';
import { entryToJoin } from './lobby';
import type { LobbyView } from './LobbyView';
import type { MemberDatabase } from './store/member/MemberDatabase';
import type { TlsRoomInfo } from './roomInfo';
import type { TrustStore } from './trust';

export interface JoinFlowsDeps {
  rooms: JoinedRooms;
  hosted: HostedRooms;
  trust: TrustStore;
  store: MemberDatabase;
  lobby: LobbyView;
  /** How long join-by-address waits for the room to answer, in ms. */
  probeTimeoutMs: number;
}

/** What the window asks to join a room by (the bridge's room:join). */
export interface JoinRequest {
  roomId: string;
  passcode?: string;
  fingerprint?: string;
  acceptSuspect?: true;
}

/**
 * The ways into a room: from the lobby, by address (checked, then joined pinned to what the
 * user confirmed), into one's own hosted room, and trusting a certificate after comparing codes.
 * Each decides which certificate a session may accept before it opens one; none opens a session
 * the rules of trust on first use would refuse.
 */
export class JoinFlows {
  constructor(private readonly deps: JoinFlowsDeps) {}

  /** Joins a lobby entry, one's own room, or (host away) a room's saved copy, read-only. */
  join(request: JoinRequest): void {
    const { rooms, hosted: hostedRooms, trust, store, lobby } = this.deps;
    const { roomId, passcode } = request;
    const current = rooms.get(roomId);
    // Already in it and connected (or on the way): joining again changes nothing.
    if (current && current.client.state !== 'offline' && request.fingerprint === undefined) return;
    const hosted = hostedRooms.get(roomId);
    if (hosted && request.fingerprint === undefined) {
      this.enterOwn(hosted);
      return;
    }
    const pinned = trust.pinned(roomId);
    const room = entryToJoin(lobby.rooms(), roomId, request.fingerprint);
    if (!room) {
      if (request.fingerprint !== undefined) throw noSuchRoom();
      // A room joined before whose host is away: open the saved copy, read-only.
      const known = store.knownRooms().find((r) => r.id === roomId);
      if (!known) throw noSuchRoom();
      rooms.open(known.endpoints, known.id, { offline: reason(ReasonCode.SavedCopy), fingerprint: pinned });
      return;
    }
    requireVersion(room.v);
    if (room.mine && hosted) {
      this.enterOwn(hosted);
      return;
    }
    // A suspect entry is joined only by the user's warned choice, and never over a pin: a
    // certificate that differs from the pinned one must be trusted first (room:trust).
    if (room.suspect && (request.acceptSuspect !== true || hosted)) throw suspectRoom(room.code);
    if (pinned !== null && room.fingerprint !== null && room.fingerprint !== pinned)
      throw suspectRoom(room.code, pinned);
    // Pinned: only that certificate. First contact: the one this entry answered with (pinned at the welcome).
    rooms.open(room.endpoints, room.id, {
      info: { v: room.v, id: room.id, name: room.name, host: room.host, members: room.members },
      fingerprint: pinned ?? room.fingerprint,
      // Only to a room that says it takes one: a link with a passcode waits for a challenge.
      passcode: room.passcode ? passcode || null : null,
    });
  }

  /** The hosting person's own session in a room this app hosts: loopback, its own certificate. */
  enterOwn(hosted: HostedRoom): void {
    const current = this.deps.rooms.get(hosted.info.id);
    const local = hosted.localEndpoint;
    // In it already, here: nothing to do. A session left from before (rejoined at start, or
    // offline since hosting stopped) is replaced by one that knows the room's port and passcode.
    if (current?.client.state === 'online' && current.client.address === formatEndpoint(local)) return;
    this.deps.rooms.open([local], hosted.info.id, {
      fingerprint: hosted.fingerprint,
      passcode: hosted.passcode,
    });
  }

  /**
   * Asks an address for its room and certificate (any certificate: this is first contact), and
   * says how that certificate stands against the one pinned for the room. Joins nothing. An
   * invite link instead: each of its addresses is asked at once, pinned to the link's
   * certificate from the first byte, and the first to answer as the link's room is the one.
   */
  async checkAddress(address: string): Promise<CommandResult<'room:check-address'>> {
    const invite = looksLikeInvite(address);
    const { endpoint, answer } = invite
      ? await this.probeInvite(parseInvite(address))
      : await probeAddress(address, this.deps.probeTimeoutMs);
    const { info, fingerprint } = answer;
    const verdict = this.deps.trust.verdict(info.id, fingerprint);
    this.deps.lobby.notePresented(info.id, verdict.kind === 'mismatch' ? fingerprint : null);
    return {
      address: formatEndpoint(endpoint),
      invite,
      room: info,
      fingerprint,
      code: verificationCode(fingerprint),
      trust: verdict.kind === 'mismatch' ? 'changed' : verdict.kind,
      pinnedCode: verdict.kind === 'mismatch' ? verificationCode(verdict.pinned) : null,
    };
  }

  /** The first of an invite's addresses to answer as its room with its certificate. */
  private async probeInvite(invite: Invite): Promise<{ endpoint: Endpoint; answer: TlsRoomInfo }> {
    const tries = invite.endpoints.map(async (endpoint) => {
      const answer = await probeEndpoint(
        endpoint,
        formatEndpoint(endpoint),
        this.deps.probeTimeoutMs,
        invite.fingerprint,
      );
      if (answer.info.id !== invite.roomId) throw noSuchRoom();
      return { endpoint, answer };
    });
    try {
      return await Promise.any(tries);
    } catch (err) {
      // Every address failed: say why the first did (they are listed best first).
      throw (err as AggregateError).errors[0];
    }
  }

  /**
   * Joins the room at `address` pinned to exactly `fingerprint`, the certificate the user saw
   * and confirmed: if the address now presents another, or the room's pin is another (a changed
   * certificate not yet trusted with room:trust), it is refused with CERT_CHANGED.
   */
  async joinAddress(address: string, fingerprint: string, passcode?: string): Promise<{ roomId: string }> {
    const { rooms, trust, lobby } = this.deps;
    // Pinned from the handshake on: another certificate at the address is refused before a byte of ours.
    const { endpoint, answer } = await probeAddress(address, this.deps.probeTimeoutMs, fingerprint);
    const roomId = answer.info.id;
    const verdict = trust.verdict(roomId, fingerprint);
    lobby.notePresented(roomId, verdict.kind === 'mismatch' ? fingerprint : null);
    if (verdict.kind === 'mismatch') throw certChanged(verdict.pinned, verdict.presented);
    const current = rooms.get(roomId);
    if (current && current.client.state !== 'offline') return { roomId };
    // Connect pinned to the confirmed certificate: the session cannot be handed to another.
    rooms.open([endpoint], roomId, {
      info: answer.info,
      fingerprint,
      passcode: answer.info.passcode ? passcode || null : null,
    });
    return { roomId };
  }

  /** The user compared codes with the host and accepts its certificate for the room. */
  trust(roomId: string, fingerprint: string): void {
    this.deps.trust.pin(roomId, fingerprint, { verified: true });
    const session = this.deps.rooms.get(roomId);
    if (session) {
      session.client.setFingerprint(fingerprint);
      session.connect();
    }
    this.deps.lobby.changed();
  }
}
