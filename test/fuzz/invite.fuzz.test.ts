/**
 * Invite links arrive from anywhere (a chat, a web page, a QR code, another program's command
 * line): whatever the text, parsing either yields a bounded, well-formed invite or throws
 * BAD_INVITE; it never throws anything else and never hangs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BridgeError, MAX_LINK_CHARS } from '../../src/shared/api';
import { formatInvite, MAX_INVITE_ADDRESSES, parseInvite } from '../../src/core/invite/inviteLink';

const RUNS = Number(process.env.FUZZ_LINKS ?? 2000);
const GOOD = formatInvite({
  roomId: 'room-1',
  name: 'Office',
  host: 'Alice',
  endpoints: [{ host: '10.0.0.2', port: 4000 }],
  fingerprint: 'c'.repeat(64),
  passcode: false,
});

/** Parses, and checks the outcome is one of the two allowed ones. */
function parsesOrRefuses(text: string): void {
  let invite;
  try {
    invite = parseInvite(text);
  } catch (err) {
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('BAD_INVITE');
    return;
  }
  expect(text.trim().length).toBeLessThanOrEqual(MAX_LINK_CHARS);
  expect(invite.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  expect(invite.endpoints.length).toBeGreaterThan(0);
  expect(invite.endpoints.length).toBeLessThanOrEqual(MAX_INVITE_ADDRESSES);
  for (const { port } of invite.endpoints) expect(port).toBeGreaterThanOrEqual(1);
  // What parsed writes back to a link that parses to the same invite.
  expect(parseInvite(formatInvite(invite))).toEqual(invite);
}

/** Mutations of a good link: a character changed, inserted or removed, a parameter added. */
const mutated = fc
  .tuple(
    fc.nat(GOOD.length),
    fc.constantFrom('change', 'insert', 'remove', 'param'),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('room', 'name', 'host', 'at', 'fp', 'pc', '__proto__', 'constructor'),
  )
  .map(([at, how, text, key]) => {
    if (how === 'change') return GOOD.slice(0, at) + text + GOOD.slice(at + 1);
    if (how === 'insert') return GOOD.slice(0, at) + text + GOOD.slice(at);
    if (how === 'remove') return GOOD.slice(0, at) + GOOD.slice(at + 1 + text.length);
    return `${GOOD}&${key}=${encodeURIComponent(text)}`;
  });

describe('invite link parser under fuzzing', () => {
  it('yields a bounded invite or BAD_INVITE for any text at all', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), parsesOrRefuses), {
      numRuns: RUNS,
    });
  });

  it('yields a bounded invite or BAD_INVITE for every mutation of a good link', () => {
    fc.assert(fc.property(mutated, parsesOrRefuses), { numRuns: RUNS });
  });

  it('yields a bounded invite or BAD_INVITE for links built of random parameters', () => {
    const params = fc.array(
      fc.tuple(
        fc.constantFrom('room', 'name', 'host', 'at', 'fp', 'pc', 'x'),
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 80 }),
          fc.constant('1'),
          fc.constant('10.0.0.1:4000'),
        ),
      ),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(params, (pairs) =>
        parsesOrRefuses(`parley://join?${new URLSearchParams(pairs).toString()}`),
      ),
      { numRuns: RUNS },
    );
  });
});
