import { describe, expect, it, onTestFinished } from 'vitest';
import type { LobbyRoom } from '../../src/shared/api';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import type { DiscoveredRoom } from '../../src/core/discovery';
import { HostedRooms } from '../../src/core/HostedRooms';
import { LobbyView } from '../../src/core/LobbyView';
import { MemberDatabase } from '../../src/core/store/member/MemberDatabase';
import { TrustStore } from '../../src/core/trust/TrustStore';
import { tempDataDir } from './support/dataDir';

const PINNED = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const ROOM = { id: 'room-1', name: 'Office', host: 'Alice', endpoints: [{ host: '127.0.0.1', port: 4000 }] };

/** The room announced with a certificate other than its pin. */
const ANNOUNCED_OTHER: DiscoveredRoom = {
  id: ROOM.id,
  name: ROOM.name,
  host: ROOM.host,
  members: 2,
  v: PROTOCOL_VERSION,
  fingerprint: OTHER,
  suspect: false,
  endpoints: ROOM.endpoints,
};

/** A lobby over real (empty) stores, with the room joined before and pinned; records what it emits. */
function lobbyOfOneKnownRoom() {
  const dataDir = tempDataDir();
  const store = MemberDatabase.open(dataDir);
  const trust = TrustStore.open(dataDir);
  onTestFinished(() => {
    trust.close();
    store.close();
  });
  store.rememberRoom(ROOM);
  trust.pin(ROOM.id, PINNED);
  const emitted: LobbyRoom[][] = [];
  const lobby = new LobbyView({
    hosted: new HostedRooms({ dataDir, discovery: null, report: () => {}, changed: () => {} }),
    store,
    trust,
    memberIdIn: (roomId) => store.memberKey(roomId).id,
    emit: (rooms) => emitted.push(rooms),
  });
  return { lobby, emitted };
}

describe('LobbyView', () => {
  it('lists a room joined before, offline, trusted with its pin', () => {
    const { lobby } = lobbyOfOneKnownRoom();
    expect(lobby.rooms()).toMatchObject([{ id: ROOM.id, name: 'Office', online: false, trust: 'trusted' }]);
  });

  it('calls an announced other certificate changed once a connection of ours was shown it, and new again when shown the pin', () => {
    const { lobby, emitted } = lobbyOfOneKnownRoom();
    lobby.setDiscovered([ANNOUNCED_OTHER]);
    expect(emitted.at(-1)).toMatchObject([{ id: ROOM.id, trust: 'new', suspect: true }]);

    lobby.notePresented(ROOM.id, OTHER);
    expect(emitted.at(-1)).toMatchObject([{ id: ROOM.id, trust: 'changed', pinnedCode: expect.any(String) }]);

    lobby.notePresented(ROOM.id, null);
    expect(emitted.at(-1)).toMatchObject([{ id: ROOM.id, trust: 'new' }]);
  });

  it('tells the window only when what a connection was shown changes', () => {
    const { lobby, emitted } = lobbyOfOneKnownRoom();

    lobby.notePresented(ROOM.id, null);
    expect(emitted).toHaveLength(0);
    lobby.notePresented(ROOM.id, OTHER);
    lobby.notePresented(ROOM.id, OTHER);
    expect(emitted).toHaveLength(1);
  });
});
