import { afterEach, describe, expect, it, vi } from 'vitest';
import { REJOIN_SPREAD_MS, RoomSession } from '../../src/core/RoomSession';
import { openMemberDb, tempDataDir } from './support/dataDir';

describe('rejoining a room that is announced again', () => {
  afterEach(() => void vi.useRealTimers());

  function session(): RoomSession {
    const store = openMemberDb(tempDataDir());
    // Port 9 (discard) on loopback: nothing answers, and nothing here waits for it to.
    return new RoomSession({
      roomId: 'room-1',
      endpoints: [{ host: '127.0.0.1', port: 9 }],
      nickname: 'Ann',
      store,
    });
  }

  it('waits a random part of the spread, so members who all heard the announcement do not knock at once', async () => {
    vi.useFakeTimers();
    const s = session();
    const connect = vi.spyOn(s, 'connect').mockImplementation(() => {});
    s.rejoinSoon(() => 0.5);
    vi.advanceTimersByTime(REJOIN_SPREAD_MS / 2 - 1);
    expect(connect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(connect).toHaveBeenCalledTimes(1);
    await s.close();
  });

  it('rejoins once however many announcements arrive while it waits', async () => {
    vi.useFakeTimers();
    const s = session();
    const connect = vi.spyOn(s, 'connect').mockImplementation(() => {});
    s.rejoinSoon(() => 1);
    s.rejoinSoon(() => 0);
    s.rejoinSoon(() => 0);
    vi.advanceTimersByTime(REJOIN_SPREAD_MS);
    expect(connect).toHaveBeenCalledTimes(1);
    await s.close();
  });

  it('does not rejoin after the session was closed', async () => {
    vi.useFakeTimers();
    const s = session();
    const connect = vi.spyOn(s, 'connect').mockImplementation(() => {});
    s.rejoinSoon(() => 1);
    await s.close();
    vi.advanceTimersByTime(REJOIN_SPREAD_MS);
    expect(connect).not.toHaveBeenCalled();
  });
});
