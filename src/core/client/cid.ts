import { randomBytes } from 'node:crypto';

/** A client id for a post: random, so two windows of the same person never collide. */
export const newCid = (): string => randomBytes(9).toString('base64url');
