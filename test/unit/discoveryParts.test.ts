/**
 * The parts of discovery that need no multicast: address parsing, TXT records, endpoint order and
 * the info probe (over loopback only). They live beside the LAN tests they support.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { endpointsFor } from '../../src/core/discovery/endpoints';
import { fetchRoomInfo } from '../../src/core/discovery/fetchRoomInfo';
import { parseAddress } from '../../src/core/discovery/parseAddress';
import { encodeTxt, instanceName, parseTxt } from '../../src/core/discovery/txt';
import { INFO_PATH, PROTOCOL_VERSION } from '../../src/shared/protocol';

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
    const raw = ['V=1', 'id=a=b', 'name=First', 'name=Second', 'host=H', 'n=0'].map((s) => Buffer.from(s));
    expect(parseTxt({ rawTxt: raw })).toMatchObject({ v: 1, id: 'a=b', name: 'First' });
  });

  it.each([
    ['a missing id', { v: '1', name: 'N', host: 'H', n: '0' }],
    ['an oversized name', { v: '1', id: 'x', name: 'n'.repeat(65), host: 'H', n: '0' }],
    ['a non-numeric version', { v: 'one', id: 'x', name: 'N', host: 'H', n: '0' }],
    ['a negative count', { v: '1', id: 'x', name: 'N', host: 'H', n: '-1' }],
    ['a control character', { v: '1', id: 'x', name: 'N\u0000', host: 'H', n: '0' }],
    ['a fingerprint in upper case', { v: '2', id: 'x', name: 'N', host: 'H', n: '0', fp: 'AB'.repeat(32) }],
    ['a short fingerprint', { v: '2', id: 'x', name: 'N', host: 'H', n: '0', fp: 'ab'.repeat(31) }],
  ])('rejects a record with %s', (_, txt) => {
    expect(parseTxt({ txt })).toBeNull();
  });

  it('reads a record of protocol version 1, which has no fingerprint, so the lobby can call it incompatible', () => {
    const raw = ['v=1', 'id=old', 'name=Old', 'host=H', 'n=0'].map((t) => Buffer.from(t));
    expect(parseTxt({ rawTxt: raw })).toEqual({ v: 1, id: 'old', name: 'Old', host: 'H', n: 0 });
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

describe('fetchRoomInfo (loopback)', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  async function serve(handler: http.RequestListener) {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
  }
  const info = { v: PROTOCOL_VERSION, id: 'room-1', name: 'Garden', host: 'Alice', members: 2 };

  it("resolves with the room's info", async () => {
    let path = '';
    const endpoint = await serve((req, res) => {
      path = req.url ?? '';
      res.end(JSON.stringify(info));
    });
    expect(await fetchRoomInfo(endpoint, 2000)).toEqual(info);
    expect(path).toBe(INFO_PATH);
  });

  it('rejects with a clear error when the answer is not JSON, not room info, or not a 200', async () => {
    const notJson = await serve((_req, res) => res.end('<html>'));
    await expect(fetchRoomInfo(notJson, 2000)).rejects.toThrow(/not JSON/);
    const invalid = await serve((_req, res) => res.end(JSON.stringify({ ...info, members: -1 })));
    await expect(fetchRoomInfo(invalid, 2000)).rejects.toThrow(/invalid room info/);
    const missing = await serve((_req, res) => res.writeHead(404).end());
    await expect(fetchRoomInfo(missing, 2000)).rejects.toThrow(/HTTP 404/);
  });

  it('rejects when nothing listens, and when the room does not answer in time', async () => {
    const closed = await serve(() => {});
    await new Promise((r) => servers.pop()!.close(r));
    await expect(fetchRoomInfo(closed, 2000)).rejects.toThrow(/Could not reach a room at 127\.0\.0\.1:\d+/);
    const silent = await serve(() => {});
    await expect(fetchRoomInfo(silent, 200)).rejects.toThrow(/did not answer within 200 ms/);
  });
});
