import { createHash, X509Certificate } from 'node:crypto';

/** 64 lowercase hex digits: the form every fingerprint takes in Parley (pins, TXT `fp`, logs). */
const FINGERPRINT = /^[0-9a-f]{64}$/;

/**
 * The SHA-256 of a certificate's DER encoding, as 64 lowercase hex digits without colons.
 * Takes the certificate as PEM text or as DER bytes. Throws when a PEM string holds no
 * certificate.
 */
export function fingerprintOf(certPemOrDer: string | Buffer): string {
  const der = typeof certPemOrDer === 'string' ? new X509Certificate(certPemOrDer).raw : certPemOrDer;
  return createHash('sha256').update(der).digest('hex');
}

/**
 * A fingerprint in Parley's form, from any common spelling of one (Node's `fingerprint256`
 * `AB:CD:...`, upper case, spaces); null when it is not a SHA-256 fingerprint at all.
 */
export function normalizeFingerprint(text: string): string | null {
  const bare = text.replace(/[:\s]/g, '').toLowerCase();
  return FINGERPRINT.test(bare) ? bare : null;
}

/** Whether `text` is a fingerprint in Parley's form (64 lowercase hex digits). */
export function isFingerprint(text: string): boolean {
  return FINGERPRINT.test(text);
}

const CODE_DIGITS = 16n;
const CODE_MODULUS = 10n ** CODE_DIGITS;

/**
 * A code two people can read aloud to check that they see the same host certificate: 16
 * decimal digits in four groups of four, e.g. "4821 0937 5512 6604".
 *
 * Derivation (fixed: both ends must compute the same code, whatever their version):
 * take the first 8 bytes (16 hex digits) of the fingerprint, read them as a big-endian
 * unsigned 64-bit integer, reduce it modulo 10^16, write the result as 16 decimal digits with
 * leading zeros, and put a space after every fourth digit. 10^16 ≈ 2^53.2 codes; since
 * 2^64 / 10^16 ≈ 1845, the modulo bias is under 0.06% per code. An impostor would need about
 * 2^53 signed certificates to find one whose code matches a given host's.
 */
export function verificationCode(fingerprint: string): string {
  const normal = normalizeFingerprint(fingerprint);
  if (normal === null) throw new Error(`Not a SHA-256 fingerprint: ${JSON.stringify(fingerprint)}.`);
  const digits = (BigInt(`0x${normal.slice(0, 16)}`) % CODE_MODULUS).toString().padStart(16, '0');
  return digits.match(/\d{4}/g)!.join(' ');
}
