import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request, createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createIdentity, IDENTITY_SUBJECT } from '../../src/core/identity/createIdentity';
import { fingerprintOf, normalizeFingerprint, verificationCode } from '../../src/core/identity/fingerprint';
import {
  CERT_FILE,
  IDENTITY_DIR,
  KEY_FILE,
  loadOrCreateIdentity,
} from '../../src/core/identity/loadOrCreateIdentity';
import { tempDataDir } from './support/dataDir';

const HEX64 = /^[0-9a-f]{64}$/;

describe('createIdentity', () => {
  it('makes an ECDSA P-256 key and a self-signed certificate valid for about 20 years', async () => {
    const now = new Date('2026-05-01T12:00:00Z');
    const identity = await createIdentity(now);
    const cert = new X509Certificate(identity.cert);
    const key = createPrivateKey(identity.key);

    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toBe(IDENTITY_SUBJECT);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.ca).toBe(false);
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(now.getTime());
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(2046);
  });

  it('gives every identity its own key and a random positive serial', async () => {
    const [a, b] = await Promise.all([createIdentity(), createIdentity()]);
    const serialA = new X509Certificate(a.cert).serialNumber;
    const serialB = new X509Certificate(b.cert).serialNumber;
    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(a.key).not.toBe(b.key);
    expect(serialA).not.toBe(serialB);
    expect(serialA).toMatch(/^[4-7][0-9A-F]{31}$/);
  });

  it('states the fingerprint as SHA-256 of the DER certificate in 64 lowercase hex digits', async () => {
    const identity = await createIdentity();
    const cert = new X509Certificate(identity.cert);
    expect(identity.fingerprint).toMatch(HEX64);
    expect(identity.fingerprint).toBe(normalizeFingerprint(cert.fingerprint256));
    expect(fingerprintOf(identity.cert)).toBe(identity.fingerprint);
    expect(fingerprintOf(cert.raw)).toBe(identity.fingerprint);
  });

  it('is accepted by https.createServer, and a client sees the same fingerprint', async () => {
    const identity = await createIdentity();
    const server = createHttpsServer({ key: identity.key, cert: identity.cert }, (_req, res) =>
      res.end('hello'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;

    const seen = await new Promise<{ fingerprint256: string; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', agent: false, rejectUnauthorized: false },
        (res) => {
          const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ fingerprint256: peer.fingerprint256, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(seen.body).toBe('hello');
    expect(normalizeFingerprint(seen.fingerprint256)).toBe(identity.fingerprint);
  });
});

describe('verificationCode', () => {
  it('reads the first 8 bytes of the fingerprint as a number modulo 10^16, in four groups of four digits', () => {
    expect(verificationCode('0000000000000001' + '0'.repeat(48))).toBe('0000 0000 0000 0001');
    // 2^64 - 1 = 18446744073709551615; modulo 10^16 that is 6744073709551615.
    expect(verificationCode('ffffffffffffffff' + '0'.repeat(48))).toBe('6744 0737 0955 1615');
    // Only the first 8 bytes count.
    expect(verificationCode('00000000000004d2' + 'f'.repeat(48))).toBe('0000 0000 0000 1234');
  });

  it('gives the same code for any spelling of the same fingerprint', async () => {
    const identity = await createIdentity();
    const nodeStyle = new X509Certificate(identity.cert).fingerprint256;
    expect(verificationCode(nodeStyle)).toBe(verificationCode(identity.fingerprint));
    expect(verificationCode(identity.fingerprint)).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
  });

  it('refuses what is not a SHA-256 fingerprint', () => {
    expect(() => verificationCode('abc')).toThrow(/fingerprint/);
    expect(() => verificationCode('g'.repeat(64))).toThrow(/fingerprint/);
  });
});

describe('loadOrCreateIdentity', () => {
  it('creates the identity on first run and loads the same one afterwards', async () => {
    const dataDir = tempDataDir();
    const first = await loadOrCreateIdentity(dataDir);
    const again = await loadOrCreateIdentity(dataDir);

    expect(first.problem).toBeNull();
    expect(again.problem).toBeNull();
    expect(again.identity).toEqual(first.identity);
    expect(readFileSync(join(dataDir, IDENTITY_DIR, KEY_FILE), 'utf8')).toBe(first.identity.key);
    expect(readFileSync(join(dataDir, IDENTITY_DIR, CERT_FILE), 'utf8')).toBe(first.identity.cert);
    // No temporary folder is left behind.
    expect(readdirSync(dataDir)).toEqual([IDENTITY_DIR]);
  });

  it.skipIf(process.platform === 'win32')('keeps the private key readable by its owner only', async () => {
    const dataDir = tempDataDir();
    await loadOrCreateIdentity(dataDir);
    expect(statSync(join(dataDir, IDENTITY_DIR, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, IDENTITY_DIR)).mode & 0o077).toBe(0);
  });

  it('creates the data folder when it does not exist yet', async () => {
    const dataDir = join(tempDataDir(), 'nested', 'parley');
    const { identity, problem } = await loadOrCreateIdentity(dataDir);
    expect(problem).toBeNull();
    expect(fingerprintOf(readFileSync(join(dataDir, IDENTITY_DIR, CERT_FILE), 'utf8'))).toBe(
      identity.fingerprint,
    );
  });

  it('keeps a damaged key aside and makes a new identity, saying so', async () => {
    const dataDir = tempDataDir();
    const { identity: old } = await loadOrCreateIdentity(dataDir);
    writeFileSync(join(dataDir, IDENTITY_DIR, KEY_FILE), 'not a key');

    const { identity, problem } = await loadOrCreateIdentity(dataDir);

    expect(identity.fingerprint).not.toBe(old.fingerprint);
    expect(problem).toMatchObject({
      kind: 'damaged',
      file: 'identity',
      detail: expect.stringMatching(/key\.pem does not hold a private key/),
      aside: expect.stringMatching(/identity\.corrupt-/),
    });
    const aside = readdirSync(dataDir).filter((name) => name.startsWith(`${IDENTITY_DIR}.corrupt-`));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dataDir, aside[0]!, CERT_FILE), 'utf8')).toBe(old.cert);
    // The new one is saved: the next start has no problem and the same identity.
    expect(await loadOrCreateIdentity(dataDir)).toEqual({ identity, problem: null });
  });

  it('treats a key that does not belong to the certificate as damaged', async () => {
    const dataDir = tempDataDir();
    const { identity: old } = await loadOrCreateIdentity(dataDir);
    writeFileSync(join(dataDir, IDENTITY_DIR, KEY_FILE), (await createIdentity()).key);

    const { identity, problem } = await loadOrCreateIdentity(dataDir);
    expect(problem?.detail).toMatch(/key\.pem is not the key of cert\.pem/);
    expect(identity.fingerprint).not.toBe(old.fingerprint);
  });

  it('treats a certificate without its key as damaged', async () => {
    const dataDir = tempDataDir();
    await loadOrCreateIdentity(dataDir);
    rmSync(join(dataDir, IDENTITY_DIR, KEY_FILE));

    const { problem } = await loadOrCreateIdentity(dataDir);
    expect(problem?.detail).toMatch(/key\.pem is missing/);
    expect(existsSync(join(dataDir, IDENTITY_DIR, KEY_FILE))).toBe(true);
  });

  it('treats a garbled certificate as damaged', async () => {
    const dataDir = tempDataDir();
    await loadOrCreateIdentity(dataDir);
    writeFileSync(join(dataDir, IDENTITY_DIR, CERT_FILE), '-----BEGIN CERTIFICATE-----\nAAAA\n');

    const { problem } = await loadOrCreateIdentity(dataDir);
    expect(problem?.detail).toMatch(/cert\.pem does not hold a certificate/);
  });

  it('still gives an identity when the data folder cannot be written, saying it will not last', async () => {
    const file = join(tempDataDir(), 'a-file');
    writeFileSync(file, '');
    // A folder inside a file cannot be made, even by root (chmod would not stop root).
    const { identity, problem } = await loadOrCreateIdentity(join(file, 'parley'));
    expect(identity.fingerprint).toMatch(HEX64);
    expect(problem).toMatchObject({ kind: 'unwritable', file: 'identity' });
  });

  // A folder cannot be renamed out of a read-only parent, except by root, who ignores modes.
  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)(
    'uses a temporary identity when a damaged one cannot be moved aside',
    async () => {
      const dataDir = tempDataDir();
      await loadOrCreateIdentity(dataDir);
      writeFileSync(join(dataDir, IDENTITY_DIR, CERT_FILE), 'garbage');
      chmodSync(dataDir, 0o500);
      onTestFinished(() => chmodSync(dataDir, 0o700));
      const { identity, problem } = await loadOrCreateIdentity(dataDir);
      expect(identity.fingerprint).toMatch(HEX64);
      expect(problem).toMatchObject({ kind: 'stuck', file: 'identity' });
    },
  );

  it('agrees on one identity when two starts create it at the same time', async () => {
    const dataDir = tempDataDir();
    const results = await Promise.all([
      loadOrCreateIdentity(dataDir),
      loadOrCreateIdentity(dataDir),
      loadOrCreateIdentity(dataDir),
    ]);
    const saved = await loadOrCreateIdentity(dataDir);
    for (const { identity, problem } of results) {
      expect(problem).toBeNull();
      expect(identity.fingerprint).toBe(saved.identity.fingerprint);
    }
    expect(readdirSync(dataDir)).toEqual([IDENTITY_DIR]);
  });
});
