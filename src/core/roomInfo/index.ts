// How this app asks a room about itself (GET /parley/info over the room's pinned TLS): the
// lobby's liveness probe and join by address both do.
export { fetchInfoTls, type TlsRoomInfo } from './fetchInfoTls';
