import { randomBytes } from 'node:crypto';

// Ids are random rather than sequential so they reveal nothing about join order or room size,
// and so a restarted host can never hand an old member's id to a stranger by counting again.

/** A member id: short enough to be cheap on every message, 72 bits so collisions never happen in practice. */
export const newMemberId = (): string => randomBytes(9).toString('base64url');

/** A message id, unique across the room's history. */
export const newMessageId = (): string => randomBytes(12).toString('base64url');

/** A resume token: a bearer secret, so it gets the full 192 bits. */
export const newToken = (): string => randomBytes(24).toString('base64url');
