import { createHash } from 'node:crypto';

/**
 * A member's id in a room, derived from the secret key it presents in its hello. The host files
 * private history under this id, so the same key is the same person across reconnects and host
 * restarts, while the key itself is never shown to anyone. The member can compute its own id too.
 */
export function memberIdFromKey(key: string): string {
  return createHash('sha256').update('parley-member-id\0').update(key).digest('base64url').slice(0, 16);
}
