import { createIdentity, type HostIdentity } from '../../../src/core/identity/createIdentity';

let cached: Promise<HostIdentity> | null = null;

/**
 * One host identity per test file (module state is per file under vitest): making an ECDSA
 * key and certificate for every host would only slow the tests down.
 */
export function testIdentity(): Promise<HostIdentity> {
  cached ??= createIdentity();
  return cached;
}

/** A fresh identity, for tests that need a host with another certificate. */
export function otherIdentity(): Promise<HostIdentity> {
  return createIdentity();
}
