import type { IncomingMessage, ServerResponse } from 'node:http';
import { INFO_PATH, type RoomInfo } from '../../shared/protocol';

/**
 * HTTP over the room's TLS, on the room's port: `GET INFO_PATH` answers the room's info (the
 * lobby's liveness probe and join-by-address use it); everything else is 404.
 */
export function infoRoute(info: () => RoomInfo) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0];
    if (path === INFO_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = JSON.stringify(info());
      res.writeHead(200, {
        'Content-Type': 'application/json',
        // The member count changes all the time; a cached answer would be a wrong one.
        'Cache-Control': 'no-store',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found.\n');
  };
}
