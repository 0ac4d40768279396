import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const BODY = 'Parley rooms do not accept connections from web pages.\n';

/**
 * Refuses WebSocket handshakes that carry an Origin header, answering 403 and closing.
 *
 * Browsers always send Origin on WebSocket handshakes and the app's own client never does, so
 * this shuts out every web page at once: a site the user visits cannot talk to a room on the
 * LAN (cross-site WebSocket hijacking), not even through a rebound DNS name. Returns whether it
 * refused.
 */
export function refuseWebPages(req: IncomingMessage, socket: Duplex): boolean {
  const headers = req.headers;
  // Sec-WebSocket-Origin is what pre-standard (hybi-07/08) browsers sent instead.
  if (headers.origin === undefined && headers['sec-websocket-origin'] === undefined) return false;
  refuse(socket, '403 Forbidden', BODY);
  return true;
}

function refuse(socket: Duplex, status: string, body: string, extraHeaders = ''): void {
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status}\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      extraHeaders +
      'Connection: close\r\n\r\n' +
      body,
  );
}
