import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StorageProblem } from '../../shared/storageProblem';
import type { HostIdentity } from './createIdentity';
import { fingerprintOf } from './fingerprint';

/** The folder in the app's data folder that holds the identity. */
export const IDENTITY_DIR = 'identity';
export const KEY_FILE = 'key.pem';
export const CERT_FILE = 'cert.pem';

/** What loadOrCreateIdentity found or made. */
export interface LoadedIdentity {
  identity: HostIdentity;
  /**
   * A sentence for the log and the window when the saved identity could not be used (kept
   * aside, replaced) or a new one could not be saved; null when all was well. Either way
   * members that pinned the old certificate will be told it changed.
   */
  problem: StorageProblem | null;
}

type Read = { kind: 'ok'; identity: HostIdentity } | { kind: 'missing' } | { kind: 'bad'; reason: string };

/**
 * Loads `dataDir/identity/{key.pem,cert.pem}`, or makes a new identity on first run (ECDSA
 * P-256, self-signed, see createIdentity) and saves it. Never throws for a bad or unwritable
 * folder:
 * - a damaged, mismatched, half-present or unreadable pair is kept aside (the folder is renamed
 *   `identity.corrupt-<time>`, never deleted) and a new identity is made and saved;
 * - when the new identity cannot be saved, it is used anyway until the app quits.
 * Both are described in `problem`.
 *
 * The pair is written atomically: both files go into a fresh temporary folder (0700; the key
 * file 0600), which is then renamed to `identity`. A crash leaves either no identity or a
 * whole one, and of two processes creating one at once, the one that renames first wins and
 * the other adopts its identity.
 */
export async function loadOrCreateIdentity(dataDir: string): Promise<LoadedIdentity> {
  const dir = join(dataDir, IDENTITY_DIR);
  const found = await readPair(dir);
  if (found.kind === 'ok') return { identity: found.identity, problem: null };

  let problem: StorageProblem | null = null;
  if (found.kind === 'bad') {
    const aside = `${dir}.corrupt-${timestamp()}`;
    try {
      await rename(dir, aside);
    } catch (err) {
      return {
        identity: await makeIdentity(),
        problem: { kind: 'stuck', file: 'identity', path: dir, detail: `${found.reason}; ${reasonOf(err)}` },
      };
    }
    problem = { kind: 'damaged', file: 'identity', path: dir, aside, detail: found.reason };
  }

  const identity = await makeIdentity();
  try {
    await savePair(dataDir, dir, identity);
    return { identity, problem };
  } catch (err) {
    // Another process may have saved its own identity first: use that one, as it will.
    const winner = await readPair(dir);
    if (winner.kind === 'ok') return { identity: winner.identity, problem };
    // Not saved, whether or not an old one was kept aside: this is what the user must know now.
    const unsaved: StorageProblem = {
      kind: 'unwritable',
      file: 'identity',
      path: dir,
      detail: reasonOf(err),
    };
    return { identity, problem: problem?.aside ? { ...unsaved, aside: problem.aside } : unsaved };
  }
}

/**
 * createIdentity, loaded only when needed: its certificate library (with its ASN.1 schemas and
 * reflect polyfill) takes ~80 ms to load, which every start after the first one can skip.
 */
async function makeIdentity(): Promise<HostIdentity> {
  const { createIdentity } = await import('./createIdentity');
  return createIdentity();
}

/** Reads and checks the pair: both files present, parseable, and the key is the certificate's. */
async function readPair(dir: string): Promise<Read> {
  const key = await readOptional(join(dir, KEY_FILE));
  const cert = await readOptional(join(dir, CERT_FILE));
  if (key === null && cert === null) return { kind: 'missing' };
  if (key instanceof Error) return { kind: 'bad', reason: `${KEY_FILE} cannot be read: ${key.message}` };
  if (cert instanceof Error) return { kind: 'bad', reason: `${CERT_FILE} cannot be read: ${cert.message}` };
  if (key === null) return { kind: 'bad', reason: `${KEY_FILE} is missing` };
  if (cert === null) return { kind: 'bad', reason: `${CERT_FILE} is missing` };

  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    return { kind: 'bad', reason: `${KEY_FILE} does not hold a private key` };
  }
  let certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    return { kind: 'bad', reason: `${CERT_FILE} does not hold a certificate` };
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    return { kind: 'bad', reason: `${KEY_FILE} is not the key of ${CERT_FILE}` };
  }
  return { kind: 'ok', identity: { key, cert, fingerprint: fingerprintOf(certificate.raw) } };
}

/** The file's text; null when it does not exist; the error when it exists but cannot be read. */
async function readOptional(path: string): Promise<string | null | Error> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    // ENOTDIR: some folder on the way is a file, so there is no identity here either.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    return err instanceof Error ? err : new Error(String(err));
  }
}

async function savePair(dataDir: string, dir: string, identity: HostIdentity): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  // mkdtemp makes the folder 0700: the key is never readable by others, even for a moment.
  const temp = await mkdtemp(join(dataDir, `${IDENTITY_DIR}.tmp-`));
  try {
    await writeDurably(join(temp, KEY_FILE), identity.key, 0o600);
    await writeDurably(join(temp, CERT_FILE), identity.cert, 0o644);
    // An empty leftover folder would make the rename fail on Windows; a full one is kept.
    await rmdir(dir).catch(() => {});
    await rename(temp, dir);
  } catch (err) {
    await rm(temp, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
}

/** Writes a new file and flushes it to disk before returning, so the rename never publishes a torn file. */
async function writeDurably(path: string, text: string, mode: number): Promise<void> {
  const file = await open(path, 'wx', mode);
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
