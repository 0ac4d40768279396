/**
 * The checks a join makes before any session opens, and the refusals it answers with: each a
 * BridgeError with a code and the parameters the window words it with.
 */
import { BridgeError, BridgeErrorCode, type Endpoint } from '../shared/api';
import { memberSideVersionMismatch } from '../shared/codec';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { parseAddress } from './discovery';
import { FingerprintMismatchError, verificationCode } from './identity';
import { fetchInfoTls, type TlsRoomInfo } from './roomInfo';

/** Refuses a room of another protocol version (the window words which side must update). */
export function requireVersion(roomVersion: number): void {
  if (roomVersion === PROTOCOL_VERSION) return;
  throw new BridgeError(BridgeErrorCode.VersionMismatch, memberSideVersionMismatch(roomVersion), {
    room: roomVersion,
    ours: PROTOCOL_VERSION,
  });
}

/** The room is neither on the network nor known from before. */
export function noSuchRoom(): BridgeError {
  return new BridgeError(BridgeErrorCode.NoSuchRoom, 'That room is no longer on the network.');
}

/** A command about a room this app is not in. */
export function notInRoom(roomId: string): BridgeError {
  return new BridgeError(BridgeErrorCode.NotInRoom, 'You are not in that room.', { roomId });
}

/**
 * The refusal to join a suspect lobby entry: another certificate answers for its room id. With
 * `pinned`, the user joined the room before with that one, and must trust this one first.
 */
export function suspectRoom(code: string | null, pinned?: string): BridgeError {
  const shown = code === null ? '' : ` This one shows verification code ${code}`;
  const before = pinned === undefined ? '.' : `, and you trusted ${verificationCode(pinned)}.`;
  return new BridgeError(
    BridgeErrorCode.SuspectRoom,
    'This may be an impostor: another certificate answers for the same room.' +
      shown +
      before +
      ' Compare verification codes with the host before joining it.',
    {
      ...(code !== null && { code }),
      ...(pinned !== undefined && { pinned: verificationCode(pinned) }),
    },
  );
}

/** The refusal to join a room whose host now shows another certificate than the pinned one. */
export function certChanged(pinned: string, presented: string): BridgeError {
  return new BridgeError(
    BridgeErrorCode.CertChanged,
    `This room's certificate has changed since you last joined: you trusted verification code ` +
      `${verificationCode(pinned)}, and the host now shows ${verificationCode(presented)}. ` +
      'Compare verification codes with the host before trusting it.',
    { pinned: verificationCode(pinned), presented: verificationCode(presented) },
  );
}

/**
 * Asks an address for its room and certificate, so a typo gets a clear error instead of endless
 * retries. Without `pin`, any certificate (first contact: the room id it names is then checked
 * against the pin before anything else is believed); with it, only that one, from the TLS
 * handshake on (an invite link, a confirmed code): another is refused with CERT_CHANGED.
 */
export async function probeAddress(
  address: string,
  timeoutMs: number,
  pin: string | null = null,
): Promise<{ endpoint: Endpoint; answer: TlsRoomInfo }> {
  const endpoint = parseAddress(address);
  if (!endpoint) {
    throw new BridgeError(
      BridgeErrorCode.BadAddress,
      `"${address}" is not an address like 192.168.1.20:4000.`,
      { address },
    );
  }
  return { endpoint, answer: await probeEndpoint(endpoint, address, timeoutMs, pin) };
}

/** probeAddress for an address already parsed (`address`: as the user or the link wrote it). */
export async function probeEndpoint(
  endpoint: Endpoint,
  address: string,
  timeoutMs: number,
  pin: string | null,
): Promise<TlsRoomInfo> {
  let answer: TlsRoomInfo;
  try {
    answer = await fetchInfoTls(endpoint, pin, timeoutMs);
  } catch (err) {
    if (err instanceof FingerprintMismatchError) throw certChanged(err.pinned, err.presented);
    throw new BridgeError(
      BridgeErrorCode.NoSuchRoom,
      `No Parley room answers at ${address}: ${(err as Error).message}`,
      { address },
    );
  }
  requireVersion(answer.info.v);
  return answer;
}
