export { TRUST_DB_FILE, TrustStore, type Pin, type TrustVerdict } from './TrustStore';
