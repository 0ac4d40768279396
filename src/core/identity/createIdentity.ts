import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { fingerprintOf } from './fingerprint';

/**
 * A host's TLS identity: one key pair and self-signed certificate per Parley installation,
 * used by every room it hosts. Members pin `fingerprint` per room (trust on first use).
 */
export interface HostIdentity {
  /** The private key, PKCS#8 PEM. Never leaves this machine. */
  key: string;
  /** The self-signed certificate, PEM. */
  cert: string;
  /** SHA-256 of the certificate's DER encoding: 64 lowercase hex digits, no colons. */
  fingerprint: string;
}

/** The certificate's subject (and issuer: it signs itself). */
export const IDENTITY_SUBJECT = 'CN=Parley host';
/** How long a certificate is valid. Nobody checks the dates (members pin it), but TLS stacks parse them. */
const VALIDITY_YEARS = 20;
/** Backdated a day, so a member whose clock runs behind does not see a "not yet valid" certificate. */
const BACKDATE_MS = 24 * 60 * 60 * 1000;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** Makes a fresh identity: an ECDSA P-256 key pair and a self-signed certificate for it. */
export async function createIdentity(now: Date = new Date()): Promise<HostIdentity> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const certificate = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: IDENTITY_SUBJECT,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter,
      signingAlgorithm: ALGORITHM,
      // @peculiar/x509 types keys as the DOM's CryptoKeyPair; Node's webcrypto keys are the same thing.
      keys: keys as unknown as Parameters<typeof X509CertificateGenerator.createSelfSigned>[0]['keys'],
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
      ],
    },
    webcrypto as unknown as Parameters<typeof X509CertificateGenerator.createSelfSigned>[1],
  );
  const cert = certificate.toString('pem');
  const key = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { key, cert, fingerprint: fingerprintOf(Buffer.from(certificate.rawData)) };
}

/**
 * 16 random bytes as hex, made a positive DER INTEGER with no leading zero byte (RFC 5280 4.1.2.2:
 * positive, at most 20 octets): the top bit is cleared and the next one set.
 */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}
