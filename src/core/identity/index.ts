// createIdentity itself is left out on purpose: its certificate library is loaded lazily, by
// loadOrCreateIdentity, only when an identity has to be made. Import it directly if you need it.
export type { HostIdentity } from './createIdentity';
export { fingerprintOf, isFingerprint, normalizeFingerprint, verificationCode } from './fingerprint';
export {
  CERT_FILE,
  IDENTITY_DIR,
  KEY_FILE,
  loadOrCreateIdentity,
  type LoadedIdentity,
} from './loadOrCreateIdentity';
export {
  FingerprintMismatchError,
  peerFingerprint,
  pinnedTlsOptions,
  pinnedWsTarget,
  type PinnedConnect,
  type PinOptions,
} from './tlsClient';
