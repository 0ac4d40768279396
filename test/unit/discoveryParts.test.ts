/**
 * The parts of discovery that need no multicast: address parsing, TXT records, endpoint order,
 * the probe budget, the mDNS answerer's rate limit, the lobby entries and the info probe (over
 * loopback only). They live beside the LAN tests they support.
 */
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { endpointsFor } from '../../src/core/discovery/endpoints';
import { endpointsOf, evictable, lobbyOf, type Entry } from '../../src/core/discovery/entries';
import {
  applyOutcome,
  DEFERRED_RETRY_MS,
  GOODBYE_RECHECK_MS,
  onGoodbye,
} from '../../src/core/discovery/liveness';
import { PROBE_BUDGET_DEFAULTS, ProbeBudget, type ProbeSlot } from '../../src/core/discovery/ProbeBudget';
import {
  PROBE_DEFENCE_MS,
  RECORD_INTERVAL_MS,
  Responder,
  type MdnsRecord,
} from '../../src/core/discovery/Responder';
import { parseAddress } from '../../src/core/discovery/parseAddress';
import { encodeTxt, instanceName, parseTxt } from '../../src/core/discovery/txt';
import { MAX_TXT_MEMBERS, PROTOCOL_VERSION } from '../../src/shared/protocol';

describe('parseAddress', () => {
  it.each([
    ['10.0.0.5:4000', { host: '10.0.0.5', port: 4000 }],
    ['  10.0.0.5:4000 ', { host: '10.0.0.5', port: 4000 }],
    ['[fe80::1]:4000', { host: 'fe80::1', port: 4000 }],
    ['[fe80::1%eth0]:1', { host: 'fe80::1%eth0', port: 1 }],
    ['myhost.local:65535', { host: 'myhost.local', port: 65535 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('reads %s', (text, endpoint) => {
    expect(parseAddress(text)).toEqual(endpoint);
  });

  it.each([
    '10.0.0.5',
    '10.0.0.5:',
    '10.0.0.5:0',
    '10.0.0.5:65536',
    '10.0.0.5:99999',
    '10.0.0.5:40a',
    '10.0.0.256:4000',
    'fe80::1:4000',
    '[not-ipv6]:4000',
    '[fe80::1]4000',
    ':4000',
    'my host:4000',
    '-bad.local:4000',
    'ws://10.0.0.5:4000',
    '',
  ])('refuses %j', (text) => {
    expect(parseAddress(text)).toBeNull();
  });
});

describe('TXT records', () => {
  const fp = 'ab'.repeat(32);
  const room = { id: 'room-1', name: 'Garden', host: 'Alice', members: 3, fingerprint: fp };

  it('reads back what it writes, from raw Buffers, from strings and from bonjour-decoded values', () => {
    const txt = encodeTxt(room);
    const expected = { v: PROTOCOL_VERSION, id: 'room-1', name: 'Garden', host: 'Alice', n: 3, fp };
    const raw = Object.entries(txt).map(([k, v]) => Buffer.from(`${k}=${v}`));
    expect(parseTxt({ rawTxt: raw })).toEqual(expected);
    expect(parseTxt({ rawTxt: raw.map((b) => b.toString()) })).toEqual(expected);
    expect(parseTxt({ txt })).toEqual(expected);
    expect(
      parseTxt({ txt: Object.fromEntries(Object.entries(txt).map(([k, v]) => [k, Buffer.from(v)])) }),
    ).toEqual(expected);
  });

  it('says pc=1 only for a room with a passcode, and reads it back', () => {
    expect(encodeTxt(room)).not.toHaveProperty('pc');
    const txt = encodeTxt({ ...room, passcode: true });
    expect(txt.pc).toBe('1');
    expect(parseTxt({ txt })).toMatchObject({ id: 'room-1', pc: '1' });
    expect(parseTxt({ txt: { ...txt, pc: 'yes' } })).toBeNull();
  });

  it('takes the first of duplicate keys, matches keys case-insensitively and keeps "=" in values', () => {
    const raw = ['V=3', 'id=a=b', 'name=First', 'name=Second', 'host=H', 'n=0', `fp=${fp}`].map((s) =>
      Buffer.from(s),
    );
    expect(parseTxt({ rawTxt: raw })).toMatchObject({ v: 3, id: 'a=b', name: 'First' });
  });

  const v = String(PROTOCOL_VERSION);
  it.each([
    ['a missing id', { v, name: 'N', host: 'H', n: '0', fp }],
    ['an oversized name', { v, id: 'x', name: 'n'.repeat(65), host: 'H', n: '0', fp }],
    ['a non-numeric version', { v: 'one', id: 'x', name: 'N', host: 'H', n: '0', fp }],
    ['a negative count', { v, id: 'x', name: 'N', host: 'H', n: '-1', fp }],
    ['a count of 1e9', { v, id: 'x', name: 'N', host: 'H', n: '1e9', fp }],
    [
      'a count one past the most a lobby believes',
      { v, id: 'x', name: 'N', host: 'H', n: String(MAX_TXT_MEMBERS + 1), fp },
    ],
    ['a control character', { v, id: 'x', name: 'N\u0000', host: 'H', n: '0', fp }],
    ['a fingerprint in upper case', { v, id: 'x', name: 'N', host: 'H', n: '0', fp: 'AB'.repeat(32) }],
    ['a short fingerprint', { v, id: 'x', name: 'N', host: 'H', n: '0', fp: 'ab'.repeat(31) }],
    ['no fingerprint (version 2 and later)', { v, id: 'x', name: 'N', host: 'H', n: '0' }],
    ['no fingerprint, version 2', { v: '2', id: 'x', name: 'N', host: 'H', n: '0' }],
    [
      'version 1 (never released, no fingerprint, no TLS)',
      { v: '1', id: 'x', name: 'N', host: 'H', n: '0', fp },
    ],
  ])('rejects a record with %s', (_, txt) => {
    expect(parseTxt({ txt })).toBeNull();
  });

  it('reads a record of an older version that serves TLS (2), so the lobby can list it as incompatible once it answers', () => {
    const raw = ['v=2', 'id=old', 'name=Old', 'host=H', 'n=0', `fp=${fp}`].map((t) => Buffer.from(t));
    expect(parseTxt({ rawTxt: raw })).toEqual({ v: 2, id: 'old', name: 'Old', host: 'H', n: 0, fp });
  });

  it('reads the largest member count a lobby believes, and never announces more', () => {
    expect(parseTxt({ txt: { ...encodeTxt(room), n: String(MAX_TXT_MEMBERS) } })).toMatchObject({
      n: MAX_TXT_MEMBERS,
    });
    expect(encodeTxt({ ...room, members: MAX_TXT_MEMBERS * 10 }).n).toBe(String(MAX_TXT_MEMBERS));
  });

  it('rejects records that are not records at all', () => {
    for (const junk of [undefined, null, 42, 'v=1', [1, 2], { txt: [] }])
      expect(parseTxt({ rawTxt: junk, txt: junk })).toBeNull();
  });

  it('fits every entry of a long multi-byte name into 255 bytes without splitting a character', () => {
    const txt = encodeTxt({ ...room, name: '🎉'.repeat(64) });
    expect(Buffer.byteLength(`name=${txt.name}`)).toBeLessThanOrEqual(255);
    expect(txt.name).toBe('🎉'.repeat(62));
  });

  it('makes instance names that fit one DNS label, without dots, and differ for different ids', () => {
    const a = instanceName('Team.Room '.repeat(10), 'room-aaaaaaaa-1');
    const b = instanceName('Team.Room '.repeat(10), 'room-aaaaaaaa-2');
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
    expect(a).not.toContain('.');
    expect(a).not.toBe(b);
    expect(instanceName('Garden', 'x')).toMatch(/^Garden \[[0-9a-f]{8}\]$/);
    expect(Buffer.byteLength(instanceName('é'.repeat(40), 'x'))).toBeLessThanOrEqual(63);
  });
});

describe('endpointsFor', () => {
  it('puts the answering address first, then IPv4, then IPv6, skipping unscoped link-local and duplicates', () => {
    const endpoints = endpointsFor(4000, '10.0.0.7', [
      'fe80::1',
      '2001:db8::1',
      '192.168.1.2',
      '10.0.0.7',
      'junk',
      5,
    ]);
    expect(endpoints).toEqual([
      { host: '10.0.0.7', port: 4000 },
      { host: '192.168.1.2', port: 4000 },
      { host: '2001:db8::1', port: 4000 },
    ]);
  });
});

describe('ProbeBudget', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('lets at most one probe be in flight per address and port, and frees it on release', () => {
    const c = clock();
    const budget = new ProbeBudget({ ...PROBE_BUDGET_DEFAULTS, now: c.now });
    const slot = budget.take('10.0.0.5', 4000);
    expect(typeof slot).toBe('object');
    expect(budget.take('10.0.0.5', 4000)).toBe('busy');
    expect(typeof budget.take('10.0.0.5', 4001)).toBe('object');
    (slot as ProbeSlot).release();
    (slot as ProbeSlot).release(); // twice is harmless
    expect(typeof budget.take('10.0.0.5', 4000)).toBe('object');
  });

  it('opens at most perHostBurst + perHostPerSecond * T connections to one address in T seconds, whatever its ports', () => {
    const c = clock();
    const opts = { ...PROBE_BUDGET_DEFAULTS, now: c.now };
    const budget = new ProbeBudget(opts);
    let opened = 0;
    let port = 1;
    // 100 seconds of a probe attempt every 10 ms, each at a new port of the same victim.
    for (let step = 0; step < 10_000; step++) {
      const slot = budget.take('10.0.0.99', port++);
      if (typeof slot === 'object') {
        opened++;
        slot.release();
      }
      c.advance(10);
    }
    expect(opened).toBeLessThanOrEqual(opts.perHostBurst + opts.perHostPerSecond * 100);
    expect(opened).toBeGreaterThanOrEqual(opts.perHostPerSecond * 100);
  });

  it('opens at most burst + perSecond * T probes in all, across many addresses', () => {
    const c = clock();
    const opts = { ...PROBE_BUDGET_DEFAULTS, now: c.now };
    const budget = new ProbeBudget(opts);
    let opened = 0;
    for (let step = 0; step < 10_000; step++) {
      const slot = budget.take(`10.1.${step % 250}.${Math.floor(step / 250) % 250}`, 4000);
      if (typeof slot === 'object') {
        opened++;
        slot.release();
      } else {
        expect(slot).toBe('global');
      }
      c.advance(1);
    }
    // 10 s of attempts every millisecond.
    expect(opened).toBeLessThanOrEqual(opts.burst + opts.perSecond * 10);
    expect(opened).toBeGreaterThanOrEqual(opts.perSecond * 10);
  });
});

describe('Responder', () => {
  const ptr = { name: '_parley._tcp.local', type: 'PTR', data: 'Garden [1]._parley._tcp.local' };
  const srv = {
    name: 'Garden [1]._parley._tcp.local',
    type: 'SRV',
    data: { port: 4000, target: 'h.local' },
  };
  const txtRecord = { name: 'Garden [1]._parley._tcp.local', type: 'TXT', data: [Buffer.from('v=3')] };
  const a = { name: 'h.local', type: 'A', data: '10.0.0.5' };
  const records = [ptr, srv, txtRecord, a];
  const source = {
    recordsFor: (name: string, type: string) =>
      records.filter((r) => r.type === type && r.name.toLowerCase() === name.toLowerCase()),
    types: () => [...new Set(records.map((r) => r.type))],
  };
  const question = { name: '_parley._tcp.local', type: 'PTR' };

  function responder() {
    let t = 5_000_000;
    const sent: { answers: MdnsRecord[]; additionals: MdnsRecord[] }[] = [];
    vi.useFakeTimers({ now: t });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const r = new Responder(
      source,
      (p) => sent.push(p),
      () => t,
    );
    onTestFinished(() => r.stop());
    return { r, sent, advance: (ms: number) => ((t += ms), vi.advanceTimersByTime(ms)) };
  }

  it('answers a query that repeats one question 200 times with one packet, holding the answer and its additionals once', () => {
    const { r, sent } = responder();
    r.answer({ questions: Array.from({ length: 200 }, () => ({ ...question })) });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.answers).toEqual([ptr]);
    expect(sent[0]!.additionals).toEqual([srv, txtRecord, a]);
  });

  it('multicasts a record at most once a second however often it is asked, and sends the one deferred answer when its second is up', () => {
    const { r, sent, advance } = responder();
    r.answer({ questions: [question] });
    for (let i = 0; i < 50; i++) {
      advance(10);
      r.answer({ questions: [question, { name: '_PARLEY._tcp.local', type: 'PTR' }] });
    }
    expect(sent).toHaveLength(1);
    advance(RECORD_INTERVAL_MS);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.answers).toEqual([ptr]);
    advance(10 * RECORD_INTERVAL_MS);
    expect(sent).toHaveLength(2);
  });

  it('counts announcements sent by another path towards the interval', () => {
    const { r, sent, advance } = responder();
    r.noteSent({ answers: [ptr, srv, txtRecord, a] });
    r.answer({ questions: [question] });
    expect(sent).toHaveLength(0);
    advance(RECORD_INTERVAL_MS);
    expect(sent).toHaveLength(1);
  });

  it('defends a probed name every 250 ms rather than every second', () => {
    const { r, sent, advance } = responder();
    const probe = { questions: [{ name: srv.name, type: 'ANY' }], authorities: [srv] };
    r.answer(probe);
    advance(PROBE_DEFENCE_MS);
    r.answer(probe);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.answers).toEqual(expect.arrayContaining([srv, txtRecord]));
  });

  it('ignores questions about names it does not hold, and packets that are not queries at all', () => {
    const { r, sent } = responder();
    for (const junk of [null, 7, 'q', { questions: 'x' }, { questions: [null, 1, { name: 5, type: 'A' }] }])
      r.answer(junk);
    r.answer({ questions: [{ name: 'other.local', type: 'A' }] });
    expect(sent).toHaveLength(0);
  });
});

describe('lobbyOf (discovery entries)', () => {
  const fpA = 'aa'.repeat(32);
  const fpB = 'bb'.repeat(32);
  let seq = 0;
  const entry = (over: Partial<Entry>): Entry => ({
    key: '',
    id: 'room',
    name: 'Garden',
    host: 'Alice',
    members: 1,
    v: PROTOCOL_VERSION,
    fingerprint: fpA,
    passcode: false,
    sightings: new Map(),
    verified: new Map(),
    seenSeq: ++seq,
    listedSeq: ++seq,
    misses: 0,
    probing: false,
    dueAt: 0,
    goodbyeChecks: 0,
    ...over,
  });
  const sighting = (host: string, s: number) => ({
    link: null,
    fqdn: 'garden',
    referer: host,
    endpoints: [{ host, port: 4000 }],
    seq: s,
  });

  it('keeps two certificates for one room id as two entries, the one listed later marked suspect', () => {
    const real = entry({ fingerprint: fpA, listedSeq: 1 });
    const impostor = entry({ fingerprint: fpB, listedSeq: 2 });
    const rooms = lobbyOf([impostor, real]);
    expect(rooms.map((r) => [r.fingerprint, r.suspect])).toEqual([
      [fpA, false],
      [fpB, true],
    ]);
  });

  it('lists only entries that answered a probe', () => {
    expect(lobbyOf([entry({ listedSeq: null })])).toEqual([]);
  });

  it('puts the addresses that answered first, before any announced later', () => {
    const e = entry({});
    e.verified.set('10.0.0.5|4000', { endpoint: { host: '10.0.0.5', port: 4000 }, at: 1 });
    e.sightings.set('s1', sighting('10.0.0.5', 1));
    e.sightings.set('s2', sighting('10.0.0.66', 99)); // announced last, never answered
    expect(endpointsOf(e)).toEqual([
      { host: '10.0.0.5', port: 4000 },
      { host: '10.0.0.66', port: 4000 },
    ]);
  });

  it('pushes out the oldest entry that never answered, and never one that answered', () => {
    const answered = entry({ seenSeq: 1, listedSeq: 5 });
    const old = entry({ seenSeq: 2, listedSeq: null });
    const young = entry({ seenSeq: 3, listedSeq: null });
    expect(evictable([young, answered, old])).toBe(old);
    expect(evictable([answered])).toBeNull();
  });
});

describe('liveness (applyOutcome)', () => {
  const info = { v: PROTOCOL_VERSION, id: 'room', name: 'Garden', host: 'Alice', members: 2 };
  const endpoint = { host: '10.0.0.5', port: 4000 };
  const answered = { kind: 'answered', info, endpoint } as const;
  let seq = 0;
  const listedEntry = (): Entry => ({
    key: 'room|fp',
    id: 'room',
    name: 'Garden',
    host: 'Alice',
    members: 1,
    v: PROTOCOL_VERSION,
    fingerprint: 'aa'.repeat(32),
    passcode: false,
    sightings: new Map([
      ['s', { link: null, fqdn: 'g', referer: '10.0.0.5', endpoints: [endpoint], seq: 1 }],
    ]),
    verified: new Map(),
    seenSeq: 1,
    listedSeq: 1,
    misses: 0,
    probing: false,
    dueAt: 0,
    goodbyeChecks: 0,
  });
  const apply = (e: Entry, outcome: Parameters<typeof applyOutcome>[1]) =>
    applyOutcome(e, outcome, 10_000, 3000, () => ++seq);

  it('believes a goodbye only when a check fails, and checks once more a second after one that answered', () => {
    const e = listedEntry();
    onGoodbye(e);
    expect(e.dueAt).toBe(0);
    expect(apply(e, answered)).toBeNull();
    expect(e.dueAt).toBe(10_000 + GOODBYE_RECHECK_MS);
    expect(apply(e, answered)).toBeNull();
    expect(e.dueAt).toBe(10_000 + 3000); // back to the normal round
    onGoodbye(e);
    expect(apply(e, answered)).toBeNull();
    expect(apply(e, { kind: 'failed' })).toMatch(/goodbye/);
  });

  it('never counts a probe the budget refused as a miss, however many there are', () => {
    const e = listedEntry();
    for (let i = 0; i < 100; i++) expect(apply(e, { kind: 'refused' })).toBeNull();
    expect(e.misses).toBe(0);
    expect(e.dueAt).toBe(10_000 + DEFERRED_RETRY_MS);
  });

  it('drops a room after two failed rounds without a goodbye, and lists an entry at its first answer', () => {
    const e = listedEntry();
    expect(apply(e, { kind: 'failed' })).toBeNull();
    expect(apply(e, { kind: 'failed' })).toBe('stopped answering');
    const fresh = { ...listedEntry(), listedSeq: null, verified: new Map() };
    apply(fresh, answered);
    expect(fresh.listedSeq).not.toBeNull();
    expect([...fresh.verified.values()].map((v) => v.endpoint)).toEqual([endpoint]);
    expect(fresh.members).toBe(2);
  });
});
