/**
 * Room passcodes as challenge and response: the member proves it knows the passcode without
 * sending it. key = scrypt(passcode, salt, 32 bytes, N = 2^14); proof = HMAC-SHA256(key,
 * context + nonce + certificate fingerprint). The fingerprint binds the proof to the TLS channel
 * the member sees: relayed through a host with another certificate, it proves nothing to the
 * real one. See docs/PROTOCOL.md, "Passcode".
 */
import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const KEY_BYTES = 32;
const SCRYPT = { N: 2 ** 14, r: 8, p: 1 } as const;
const PROOF_CONTEXT = Buffer.from('parley-passcode-v3\0', 'utf8');

/** A fresh random value of `bytes` bytes, base64url without padding (nonces, salts). */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** The key both sides derive from the passcode and the room's salt (base64url). */
export function passcodeKey(passcode: string, salt: string): Buffer {
  return scryptSync(passcode.normalize('NFC'), Buffer.from(salt, 'base64url'), KEY_BYTES, SCRYPT);
}

/**
 * The hello's `proof` for a challenge `nonce` (base64url) received over a TLS connection whose
 * certificate has SHA-256 `fingerprint` (64 hex digits), from the derived key.
 */
export function passcodeProof(key: Buffer, nonce: string, fingerprint: string): string {
  return createHmac('sha256', key)
    .update(PROOF_CONTEXT)
    .update(Buffer.from(nonce, 'base64url'))
    .update(Buffer.from(fingerprint, 'hex'))
    .digest('base64url');
}

/** Whether `proof` answers `nonce` over the channel of `fingerprint` for `key`, in constant time. */
export function proofMatches(key: Buffer, nonce: string, fingerprint: string, proof: string): boolean {
  const expected = Buffer.from(passcodeProof(key, nonce, fingerprint), 'base64url');
  const given = Buffer.from(proof, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
