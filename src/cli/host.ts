/**
 * Headless host: runs a room with the same core as the app, without Electron (always-on rooms,
 * scripting). `npm run host -- --name "Office" [--port 4000] [--interface 10.0.0.5] [--bind ADDR] [--nick Desk] [--data DIR] [--passcode CODE]`
 *
 * The room's history is kept in DIR/host.db: restarting with the same name and folder brings
 * back the same room (same id) with its history, so members catch up where they left off.
 * The host's TLS identity (key and self-signed certificate) lives in DIR/identity: members pin
 * its fingerprint, so keep the folder to stay the same host in their eyes.
 */
import { isIP } from 'node:net';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePasscode, passcodeIsWeak, STRONG_PASSCODE_CHARS } from '../shared/passcodeStrength';
import { RoomNameSchema, NickSchema } from '../shared/protocol';
import { Discovery } from '../core/discovery';
import { HostedRoom } from '../core/HostedRoom';
import { loadOrCreateIdentity } from '../core/identity';
import type { HostLimits } from '../core/host/limits';
import { HostDatabase, type StoredRoom } from '../core/store/host/HostDatabase';
import { HOST_DB_FILE } from '../core/store/host/schema';
import { lanIPv4Addresses } from '../core/lanAddresses';
import { isWildcard, listeningAddresses, localAddresses, wssOrigin } from './listenAddresses';
import { STORAGE_OPTIONS, STORAGE_USAGE, storageOptions } from './storageOptions';
import { storageSentence } from '../shared/storageProblem';

const USAGE =
  'Usage: parley-host (or npm run host --) --name "Office" [--port 4000] [--interface ADDR] [--bind ADDR] [--nick NAME] [--data DIR]\n       [--no-advertise] [--max-members N] [--post-rate N] [--post-burst N] [--passcode CODE|generate]\n       [--max-unjoined-per-address N] [--max-unjoined-per-prefix N]\n       [--max-seats-per-address N] [--max-seats-per-prefix N]' +
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
        port: { type: 'string' },
        interface: { type: 'string' },
        bind: { type: 'string' },
        nick: { type: 'string', default: hostname().slice(0, 32) || 'Parley' },
        data: { type: 'string' },
        'no-advertise': { type: 'boolean', default: false },
        'max-members': { type: 'string' },
        'post-rate': { type: 'string' },
        'post-burst': { type: 'string' },
        'max-unjoined-per-address': { type: 'string' },
        'max-unjoined-per-prefix': { type: 'string' },
        'max-seats-per-address': { type: 'string' },
        'max-seats-per-prefix': { type: 'string' },
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
function lanAddresses(): string[] {
  return lanIPv4Addresses();
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
  // Absent: the port the room had last time (another only if that one is taken), so members
  // who joined by address find it again after a restart. 0: any free port, every time.
  const port = opts.port === undefined ? null : Number(opts.port);
  if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535))
    fail(`--port must be 0-65535, not "${opts.port}".`);
  if (opts.interface && !lanAddresses().includes(opts.interface)) {
    fail(
      `--interface ${opts.interface} is not an IPv4 address of this machine (have: ${lanAddresses().join(', ') || 'none'}).`,
    );
  }

  // --interface listens there too: a room meant for one network must not answer on the others
  // (another LAN, loopback, IPv6). --bind says exactly where to listen, a wildcard for all.
  const bind = opts.bind ?? opts.interface;
  // Only an IP literal: a name would be looked up, and the room would listen wherever it resolves.
  // Whether it is this machine's is the system's to say (all of 127.0.0.0/8 is, say).
  if (opts.bind !== undefined && isIP(opts.bind) === 0) {
    fail(
      `--bind ${opts.bind} is not an IP address (this machine has ${localAddresses().join(', ') || 'none'}; 0.0.0.0 or :: for all).`,
    );
  }
  if (opts.interface && opts.bind && !isWildcard(opts.bind) && opts.bind !== opts.interface)
    fail(
      `--bind ${opts.bind} and --interface ${opts.interface} disagree: the room would not answer where it is advertised.`,
    );

  // PARLEY_HOST_PASSCODE when no --passcode: a command line is readable by every user (ps), a
  // service's environment file need not be.
  const given = opts.passcode ?? (process.env.PARLEY_HOST_PASSCODE || undefined);
  if (given !== undefined && (given.length === 0 || given.length > 256))
    fail('--passcode must be 1-256 characters.');
  // `--passcode generate` asks for a strong one; a short typed one is allowed, with the reason it is weak.
  const passcode = given === 'generate' ? generatePasscode() : given;
  if (passcode !== undefined && passcodeIsWeak(passcode)) {
    console.error(
      `parley host: warning: this passcode is shorter than ${STRONG_PASSCODE_CHARS} characters. The room limits guessing ` +
        'over the network, but anyone who answers for this room before a member ever joined it can test guesses ' +
        'offline against what that member sends. Use a longer one, or --passcode generate.',
    );
  }

  const limits: Partial<HostLimits> = {};
  for (const [flag, key] of [
    ['max-members', 'maxMembers'],
    ['post-rate', 'postsPerSecond'],
    ['post-burst', 'postBurst'],
    ['max-unjoined-per-address', 'maxUnjoinedPerAddress'],
    ['max-unjoined-per-prefix', 'maxUnjoinedPerPrefix'],
    ['max-seats-per-address', 'maxSeatsPerAddress'],
    ['max-seats-per-prefix', 'maxSeatsPerPrefix'],
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
  if (db.problem) console.error(`parley host: ${storageSentence(db.problem)}`);
  db.onProblem = (problem) => console.error(`parley host: ${storageSentence(problem)}`);
  db.onRecovered = (sentence) => console.log(`parley host: ${sentence}`);
  let room: HostedRoom;
  let stored: StoredRoom;
  try {
    stored = db.room(name.data);
    const { identity, problem } = await loadOrCreateIdentity(dataDir);
    if (problem) console.error(`parley host: ${storageSentence(problem)}`);
    room = await HostedRoom.start({
      identity,
      name: name.data,
      hostNick: nick.data,
      ...(port === null ? { port: stored.port ?? 0, portFallback: true } : { port }),
      ...(bind !== undefined && { bindAddress: bind }),
      discovery,
      roomId: stored.id,
      history: stored.history,
      limits,
      ...(passcode ? { passcode } : {}),
    });
  } catch (err) {
    await discovery?.stop();
    db.close();
    return fail(`could not open the room: ${(err as Error).message}`);
  }
  const remembered = stored.port;
  db.rememberPort(stored, room.port);
  const addresses = listeningAddresses(room.host.boundAddress);
  console.log(`Parley room "${room.info.name}" (id ${room.info.id}) is open.`);
  if (port === null && remembered !== null && remembered !== room.port)
    console.log(
      `  port ${remembered}, where it listened last time, is taken: members who joined by address must use the new one (the lobby finds it by itself)`,
    );
  console.log(
    db.inMemory ? '  history is kept in memory only' : `  history is kept in ${join(dataDir, HOST_DB_FILE)}`,
  );
  for (const address of addresses) console.log(`  listening on ${wssOrigin(address, room.port)}`);
  console.log(`  certificate fingerprint (SHA-256) ${room.fingerprint}`);
  if (passcode) {
    console.log(
      given === 'generate'
        ? `  members need the passcode to join: ${passcode}`
        : '  members need the passcode to join',
    );
  }
  room.host.on('guessing', ({ failures, addresses, networks }) =>
    console.error(
      `parley host: the passcode is being guessed at: ${failures} wrong passcodes in the last 10 minutes from ` +
        `${addresses} addresses in ${networks} networks. Newcomers are slowed down to one try every few seconds.`,
    ),
  );
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
