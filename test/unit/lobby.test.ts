/**
 * The lobby projection (core/lobby.ts): how discovered entries, the hosted room, known rooms and
 * pins become what the window shows, above all which entry is the room and which is suspect.
 */
import { describe, expect, it } from 'vitest';
import type { DiscoveredRoom } from '../../src/core/discovery';
import { entryToJoin, lobbyRooms, type LobbyInputs } from '../../src/core/lobby';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';

const REAL = 'aa'.repeat(32);
const FAKE = 'bb'.repeat(32);
const OTHER = 'cc'.repeat(32);

const room = (fingerprint: string, suspect: boolean, host = '10.0.0.5'): DiscoveredRoom => ({
  id: 'office',
  name: 'Office',
  host: 'Alice',
  members: 2,
  v: PROTOCOL_VERSION,
  fingerprint,
  suspect,
  endpoints: [{ host, port: 4000 }],
});

function inputs(over: Partial<LobbyInputs> = {}): LobbyInputs {
  return {
    discovered: [],
    hosted: [],
    known: [],
    pinned: () => null,
    verified: () => false,
    presented: () => null,
    unread: () => 0,
    hostedBefore: () => false,
    code: (fp) => `code-${fp.slice(0, 2)}`,
    ...over,
  };
}

describe('lobbyRooms', () => {
  it('shows a room id answered by two certificates as two entries, the later one suspect, neither "changed"', () => {
    const rooms = lobbyRooms(inputs({ discovered: [room(REAL, false), room(FAKE, true, '10.0.0.66')] }));
    expect(rooms.map((r) => [r.fingerprint, r.suspect, r.trust])).toEqual([
      [REAL, false, 'new'],
      [FAKE, true, 'new'],
    ]);
    // Each entry keeps its own addresses: the impostor's never lead the real one's.
    expect(rooms[0]!.endpoints).toEqual([{ host: '10.0.0.5', port: 4000 }]);
  });

  it('takes the pinned certificate for the room, whichever discovery listed first, and shows the pinned code beside the other', () => {
    const rooms = lobbyRooms(
      inputs({ discovered: [room(FAKE, false), room(REAL, true)], pinned: () => REAL }),
    );
    expect(rooms.find((r) => r.fingerprint === REAL)).toMatchObject({ suspect: false, trust: 'trusted' });
    expect(rooms.find((r) => r.fingerprint === FAKE)).toMatchObject({
      suspect: true,
      trust: 'new',
      pinnedCode: 'code-aa',
      code: 'code-bb',
    });
  });

  it('never calls an announced certificate "changed": only one a connection of ours was presented', () => {
    const announced = lobbyRooms(inputs({ discovered: [room(FAKE, false)], pinned: () => REAL }));
    expect(announced[0]).toMatchObject({ trust: 'new', suspect: true });
    const presented = lobbyRooms(
      inputs({ discovered: [room(FAKE, false)], pinned: () => REAL, presented: () => FAKE }),
    );
    expect(presented[0]).toMatchObject({ trust: 'changed', suspect: true, pinnedCode: 'code-aa' });
    // Another certificate than the one presented is still only suspect.
    const third = lobbyRooms(
      inputs({ discovered: [room(OTHER, false)], pinned: () => REAL, presented: () => FAKE }),
    );
    expect(third[0]).toMatchObject({ trust: 'new', suspect: true });
  });

  it('marks any other certificate announcing the room this app hosts as suspect, and lists its own even unannounced', () => {
    const hosted = {
      info: { v: PROTOCOL_VERSION, id: 'office', name: 'Office', host: 'Me', members: 1 },
      port: 4100,
      fingerprint: REAL,
    };
    const rooms = lobbyRooms(inputs({ discovered: [room(FAKE, false)], hosted: [hosted] }));
    expect(rooms.map((r) => [r.fingerprint, r.mine, r.suspect])).toEqual([
      [REAL, true, false],
      [FAKE, false, true],
    ]);
  });

  it('lists a room joined before as offline when nothing answers for it, and not when one does', () => {
    const known = [
      { id: 'office', name: 'Office', host: 'Alice', endpoints: [{ host: '10.0.0.5', port: 1 }] },
    ];
    expect(lobbyRooms(inputs({ known, pinned: () => REAL }))).toMatchObject([
      { online: false, trust: 'trusted', fingerprint: REAL, suspect: false },
    ]);
    expect(lobbyRooms(inputs({ known, discovered: [room(REAL, false)] }))).toHaveLength(1);
  });
});

describe('entryToJoin', () => {
  const lobby = lobbyRooms(inputs({ discovered: [room(REAL, false), room(FAKE, true)] }));

  it('means the entry that is not suspect by default, and the named one with a fingerprint', () => {
    expect(entryToJoin(lobby, 'office')?.fingerprint).toBe(REAL);
    expect(entryToJoin(lobby, 'office', FAKE)?.fingerprint).toBe(FAKE);
    expect(entryToJoin(lobby, 'office', OTHER)).toBeUndefined();
  });

  it('falls back to a suspect entry when only suspects answer (the caller refuses it unless accepted)', () => {
    const only = lobbyRooms(inputs({ discovered: [room(FAKE, false)], pinned: () => REAL }));
    expect(entryToJoin(only, 'office')).toMatchObject({ fingerprint: FAKE, suspect: true });
  });

  it("lists a room this app hosted before, now stopped, as ours: to host again, not as someone else's", () => {
    const known = [
      { id: 'office', name: 'Office', host: 'Me', endpoints: [{ host: '127.0.0.1', port: 4000 }] },
    ];
    const mine = lobbyRooms(inputs({ known, hostedBefore: (id) => id === 'office' }));
    expect(mine).toEqual([expect.objectContaining({ id: 'office', mine: true, online: false })]);
    const theirs = lobbyRooms(inputs({ known }));
    expect(theirs).toEqual([expect.objectContaining({ id: 'office', mine: false, online: false })]);
  });
});
