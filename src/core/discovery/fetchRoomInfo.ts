import http from 'node:http';
import type { Endpoint } from '../../shared/api';
import type { RoomInfo } from '../../shared/protocol';
import { requestRoomInfo } from './readRoomInfo';

/**
 * Asks a room for its RoomInfo (`GET http://host:port/parley/info`): rooms of protocol version 1,
 * which served plain HTTP. Rejects with an Error whose message names the address and the reason.
 * Each call opens a fresh connection (no keep-alive agent): a probe must prove the host answers
 * now, not that an old socket has not noticed it died.
 */
export function fetchRoomInfo(endpoint: Endpoint, timeoutMs: number): Promise<RoomInfo> {
  return requestRoomInfo(endpoint, timeoutMs, (options, onResponse) =>
    http.request({ ...options, agent: false }, onResponse),
  );
}
