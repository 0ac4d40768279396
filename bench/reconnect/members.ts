/**
 * Members for the reconnect benchmark: `--count` real RoomClients in one process, each with its
 * own member database (so its own member key) and that database's persistent outbox, as in the
 * app. Every TCP connection attempt is stamped through Node's `net.client.socket` diagnostics
 * channel, so the benchmark sees the real retry timeline without any hook in the client.
 *
 *   node --import tsx members.ts --port P --room ID --fingerprint FP --data DIR --count N
 *        [--first K] [--backoff JSON-BackoffOptions]
 *
 * Prints (stamped): {event:'attempt'} per connection attempt, {event:'welcome', i} and
 * {event:'state', i, state} per member, {event:'posted'} after a post round and
 * {event:'drained'} when, after a post round, every outbox is empty again.
 * stdin: {"cmd":"post"} has every member post one message now; {"cmd":"close"} leaves and exits.
 */
import { subscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { BackoffOptions } from '../../src/core/client/backoff';
import { RoomClient } from '../../src/core/client/RoomClient';
import { MemberDatabase } from '../../src/core/store/member/MemberDatabase';
import { emit, exitWithParent } from '../support/clock';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    room: { type: 'string' },
    fingerprint: { type: 'string' },
    data: { type: 'string' },
    count: { type: 'string' },
    first: { type: 'string', default: '0' },
    backoff: { type: 'string', default: '{}' },
  },
});
const port = Number(values.port);
const roomId = values.room!;
const first = Number(values.first);
const backoff = JSON.parse(values.backoff!) as BackoffOptions;

subscribe('net.client.socket', () => emit('attempt'));

const databases: MemberDatabase[] = [];
const clients: RoomClient[] = [];
let draining = false;

for (let n = 0; n < Number(values.count); n++) {
  const i = first + n;
  const db = MemberDatabase.open(join(values.data!, `member-${i}`));
  databases.push(db);
  const client = new RoomClient({
    endpoints: [{ host: '127.0.0.1', port }],
    nickname: `member-${i}`,
    key: db.memberKey(roomId),
    outbox: db.outbox(roomId),
    roomId,
    fingerprint: values.fingerprint!,
    backoff,
  });
  client.on('welcome', () => emit('welcome', { i }));
  client.on('state', (state) => emit('state', { i, state }));
  client.on('ack', () => {
    if (draining && clients.every((c) => c.pending().length === 0)) {
      draining = false;
      emit('drained');
    }
  });
  client.on('problem', (problem) => emit('problem', { i, ...problem }));
  clients.push(client);
  client.start();
}

let round = 0;
createInterface({ input: process.stdin }).on('line', (line) => {
  const { cmd } = JSON.parse(line) as { cmd: string };
  if (cmd === 'post') {
    round++;
    draining = true;
    for (const [n, client] of clients.entries()) client.post(`round ${round} from member-${first + n}`);
    emit('posted', { pending: clients.reduce((sum, c) => sum + c.pending().length, 0) });
  } else if (cmd === 'close') {
    void Promise.all(clients.map((c) => c.close())).then(() => {
      for (const db of databases) db.close();
      process.exit(0);
    });
  }
});
exitWithParent(10 * 60_000);
