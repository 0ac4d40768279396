import { randomBytes } from 'node:crypto';

/**
 * A message id, unique across the room's history. Random rather than sequential (`seq` is the
 * order) so it reveals nothing and can never be handed out twice by a restarted host.
 */
export const newMessageId = (): string => randomBytes(12).toString('base64url');
