/**
 * Headless host: runs a room with the same core as the app, without Electron (always-on rooms,
 * scripting). `npm run host -- --name "Office" [--port 4000] [--interface 10.0.0.5] [--nick Desk] [--data DIR] [--passcode CODE]`
 *
 * The room's history is kept in DIR/host.db: restarting with the same name and folder brings
 * back the same room (same id) with its history, so members catch up where they left off.
 * The host's TLS identity (key and self-signed certificate) lives in DIR/identity: members pin
 * its fingerprint, so keep the folder to stay the same host in their eyes.
 */
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RoomNameSchema, NickSchema } from '../shared/protocol';
import { Discovery } from '../core/discovery';
import { HostedRoom } from '../core/HostedRoom';
import { loadOrCreateIdentity } from '../core/identity';
import type { HostLimits } from '../core/host/limits';
import { HostDatabase } from '../core/store/host/HostDatabase';
import { HOST_DB_FILE } from '../core/store/host/schema';
import { lanIPv4Addresses } from '../core/lanAddresses';
import { STORAGE_OPTIONS, STORAGE_USAGE, storageOptions } from './storageOptions';

const USAGE =
  'Usage: npm run host -- --name "Office" [--port 4000] [--interface ADDR] [--nick NAME] [--data DIR] [--no-advertise]\n       [--max-members N] [--post-rate N] [--post-burst N] [--passcode CODE]\n       [--max-unjoined-per-address N]\n       ' +
  STORAGE_USAGE;

/** Where the history lives unless --data says otherwise (the XDG data folder). */
function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'parley', 'host');
}

function fail(message: string): never {
  console.error(`parley host: ${message}\n${USAGE}`);
  process.exit(2);
}

function options() {
  try {
    return parseArgs({
      options: {
        name: { type: 'string' },
        port: { type: 'string', default: '0' },
        interface: { type: 'string' },
        nick: { type: 'string', default: hostname().slice(0, 32) || 'Parley' },
        data: { type: 'string' },
        'no-advertise': { type: 'boolean', default: false },
        'max-members': { type: 'string' },
        'post-rate': { type: 'string' },
        'post-burst': { type: 'string' },
        'max-unjoined-per-address': { type: 'string' },
        passcode: { type: 'string' },
        ...STORAGE_OPTIONS,
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    return fail((err as Error).message);
  }
}

/** Addresses people on the LAN can type into "Join by address". */
function lanAddresses(only?: string): string[] {
  const found = lanIPv4Addresses();
  return only ? found.filter((a) => a === only) : found;
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  const name = RoomNameSchema.safeParse(opts.name ?? '');
  if (!name.success) fail('--name is required: the room name people will see (1-64 characters).');
  const nick = NickSchema.safeParse(opts.nick);
  if (!nick.success) fail('--nick must be 1-32 characters.');
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port must be 0-65535, not "${opts.port}".`);
  if (opts.interface && !lanAddresses().includes(opts.interface)) {
    fail(
      `--interface ${opts.interface} is not an IPv4 address of this machine (have: ${lanAddresses().join(', ') || 'none'}).`,
    );
  }

  if (opts.passcode !== undefined && (opts.passcode.length === 0 || opts.passcode.length > 256))
    fail('--passcode must be 1-256 characters.');

  const limits: Partial<HostLimits> = {};
  for (const [flag, key] of [
    ['max-members', 'maxMembers'],
    ['post-rate', 'postsPerSecond'],
    ['post-burst', 'postBurst'],
    ['max-unjoined-per-address', 'maxUnjoinedPerAddress'],
  ] as const) {
    const raw = opts[flag];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      fail(`--${flag} must be a whole number of at least 1, not "${raw}".`);
    limits[key] = value;
  }

  const storage = storageOptions(opts);
  if ('error' in storage) fail(storage.error);
  Object.assign(limits, storage.limits);

  const discovery = opts['no-advertise']
    ? null
    : new Discovery(opts.interface ? { interfaces: [opts.interface] } : {});
  discovery?.on('error', (err) => console.error(`parley host: discovery: ${err.message}`));
  const dataDir = opts.data || defaultDataDir();
  const db = HostDatabase.open(dataDir, { retention: storage.retention });
  if (db.problem) console.error(`parley host: ${db.problem}`);
  db.onProblem = (sentence) => console.error(`parley host: ${sentence}`);
  db.onRecovered = (sentence) => console.log(`parley host: ${sentence}`);
  let room: HostedRoom;
  try {
    const stored = db.room(name.data);
    const { identity, problem } = await loadOrCreateIdentity(dataDir);
    if (problem) console.error(`parley host: ${problem}`);
    room = await HostedRoom.start({
      identity,
      name: name.data,
      hostNick: nick.data,
      port,
      discovery,
      roomId: stored.id,
      history: stored.history,
      limits,
      ...(opts.passcode ? { passcode: opts.passcode } : {}),
    });
  } catch (err) {
    await discovery?.stop();
    db.close();
    return fail(`could not open the room: ${(err as Error).message}`);
  }
  const addresses = [...lanAddresses(opts.interface), '127.0.0.1'];
  console.log(`Parley room "${room.info.name}" (id ${room.info.id}) is open.`);
  console.log(
    db.inMemory ? '  history is kept in memory only' : `  history is kept in ${join(dataDir, HOST_DB_FILE)}`,
  );
  for (const address of addresses) console.log(`  listening on wss://${address}:${room.port}`);
  console.log(`  certificate fingerprint (SHA-256) ${room.fingerprint}`);
  if (opts.passcode) console.log('  members need the passcode to join');
  console.log(`  verification code ${room.code} (members compare it with the one their app shows)`);
  console.log(
    discovery ? 'Advertised on the LAN over mDNS. Ctrl+C stops it.' : 'Not advertised (join by address).',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: saying goodbye and closing the room…`);
    void room
      .stop()
      .then(() => discovery?.stop())
      .then(() => db.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
