/**
 * A member's identity in one room: an Ed25519 key pair. The public key names the member (its
 * id is a hash of it) and the hello carries a signature, made with the private key, over the
 * host's fresh nonce and the fingerprint of the certificate the member actually sees. Nothing
 * the member sends can be replayed: a relay behind another certificate (a first-contact
 * impostor) gets a signature over *its* fingerprint, which the real host refuses. See
 * docs/PROTOCOL.md, "Member identity".
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/** What every hello signature starts with, so it can never be mistaken for another signature. */
const HELLO_CONTEXT = Buffer.from('parley-hello-v3\0', 'utf8');
/** PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410): this prefix, then the seed. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SEED_BYTES = 32;
const FINGERPRINT = /^[0-9a-f]{64}$/;

/**
 * The bytes a hello signature covers: the context, the challenge's nonce and the SHA-256
 * fingerprint (32 bytes) of the host certificate the member sees.
 */
export function helloSigningBytes(nonce: string, fingerprint: string): Buffer {
  if (!FINGERPRINT.test(fingerprint)) throw new Error('A hello is signed over a 64-hex-digit fingerprint.');
  return Buffer.concat([HELLO_CONTEXT, Buffer.from(nonce, 'base64url'), Buffer.from(fingerprint, 'hex')]);
}

/** A member's id from its public key (base64url of 32 bytes): what the host files history under. */
export function memberIdFromPublicKey(pub: string): string {
  return createHash('sha256')
    .update('parley-member-id\0')
    .update(Buffer.from(pub, 'base64url'))
    .digest('base64url')
    .slice(0, 16);
}

/**
 * Whether `sig` is `pub`'s signature of (nonce, fingerprint). Never throws: a public key that
 * is not a valid Ed25519 point is simply a failed check.
 */
export function helloSignatureValid(pub: string, sig: string, nonce: string, fingerprint: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pub }, format: 'jwk' });
    return verify(null, helloSigningBytes(nonce, fingerprint), key, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}

/** One member's key pair for one room. */
export class MemberKey {
  /** The public key, base64url (no padding) of its 32 raw bytes: `hello.pub`. */
  readonly pub: string;
  /** The member id the host derives from `pub`. */
  readonly id: string;

  private constructor(private readonly privateKey: KeyObject) {
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    if (typeof jwk.x !== 'string') throw new Error('Ed25519 public key without x.');
    this.pub = jwk.x;
    this.id = memberIdFromPublicKey(this.pub);
  }

  /** The key pair a 32-byte seed determines (the same seed always gives the same member). */
  static fromSeed(seed: Buffer): MemberKey {
    if (seed.length !== SEED_BYTES) throw new Error(`An Ed25519 seed has ${SEED_BYTES} bytes.`);
    const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
    return new MemberKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  }

  /** A fresh random key pair (tests, throwaway members). */
  static generate(): MemberKey {
    return MemberKey.fromSeed(randomBytes(SEED_BYTES));
  }

  /** `hello.sig`: the signature of the challenge `nonce` bound to the certificate `fingerprint`. */
  signHello(nonce: string, fingerprint: string): string {
    return sign(null, helloSigningBytes(nonce, fingerprint), this.privateKey).toString('base64url');
  }
}
