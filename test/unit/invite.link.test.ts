import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/shared/api';
import { formatInvite, parseInvite, type Invite } from '../../src/core/invite/inviteLink';

const FP = 'ab'.repeat(32);
const INVITE: Invite = {
  roomId: 'r00m-Id_1',
  name: '办公室 & Co?',
  host: 'Alice #1',
  endpoints: [
    { host: '192.168.1.20', port: 4000 },
    { host: 'fd00::20', port: 4000 },
  ],
  fingerprint: FP,
  passcode: true,
};

/** The fault a link is refused with. */
function faultOf(link: string): unknown {
  try {
    parseInvite(link);
  } catch (err) {
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('BAD_INVITE');
    return (err as BridgeError).params?.fault;
  }
  throw new Error(`accepted ${link}`);
}

const good = formatInvite(INVITE);
const withParam = (key: string, value: string | null) => {
  const url = new URL(good);
  if (value === null) url.searchParams.delete(key);
  else url.searchParams.set(key, value);
  return url.toString();
};

describe('invite links', () => {
  it('reads back every field it writes, names and hosts with any characters included', () => {
    expect(good.startsWith('parley://join?')).toBe(true);
    expect(parseInvite(good)).toEqual(INVITE);
    expect(parseInvite(`  ${good}\n`)).toEqual(INVITE);
  });

  it('never carries a passcode, only whether one is needed', () => {
    expect(good).not.toMatch(/passcode|secret/i);
    expect(parseInvite(formatInvite({ ...INVITE, passcode: false })).passcode).toBe(false);
  });

  it('ignores parameters it does not know, so later versions can add some', () => {
    expect(parseInvite(`${good}&future=1`)).toEqual(INVITE);
  });

  it('refuses what is not a parley://join link, naming the link', () => {
    for (const link of [
      'https://join?room=x',
      'parley://leave?room=x',
      'parley://user:pw@join?room=x',
      'parley://join:99?room=x',
      'parley://join/path?room=x',
      `${good}#fragment`,
      'not a url',
      '',
      `${good}&pad=${'x'.repeat(2100)}`,
    ]) {
      expect(faultOf(link), link).toBe('link');
    }
  });

  it('refuses each missing, repeated or malformed field by its name', () => {
    expect(faultOf(withParam('room', null))).toBe('room');
    expect(faultOf(withParam('room', 'x'.repeat(200)))).toBe('room');
    expect(faultOf(`${good}&room=other`)).toBe('room');
    expect(faultOf(withParam('name', null))).toBe('name');
    expect(faultOf(withParam('name', 'two\nlines'))).toBe('name');
    expect(faultOf(withParam('host', '\u202eevil'))).toBe('host');
    expect(faultOf(withParam('at', null))).toBe('addresses');
    expect(faultOf(withParam('at', 'fe80::1:4000'))).toBe('addresses');
    expect(faultOf(withParam('at', '10.0.0.1:0'))).toBe('addresses');
    expect(faultOf(withParam('at', 'file:///etc/passwd'))).toBe('addresses');
    expect(faultOf(`${good}${'&at=10.0.0.1:4000'.repeat(8)}`)).toBe('addresses');
    expect(faultOf(withParam('fp', FP.toUpperCase()))).toBe('fingerprint');
    expect(faultOf(withParam('fp', FP.slice(1)))).toBe('fingerprint');
    expect(faultOf(withParam('pc', 'yes'))).toBe('passcode');
  });

  it('keeps an address given twice once', () => {
    const link = `${good}&at=${encodeURIComponent('192.168.1.20:4000')}`;
    expect(parseInvite(link).endpoints).toEqual(INVITE.endpoints);
  });
});
