/**
 * Which private conversations the user closed in each room, kept in the window's localStorage
 * so a reload or a restart does not bring their tabs back. Only ids of members: nothing read
 * here is trusted beyond being a bounded list of strings.
 */
const PREFIX = 'parley.closedConversations.';
/** More than anyone closes by hand; a longer list is cut (the oldest go first). */
const MAX_KEPT = 200;

export function loadClosed(roomId: string): Set<string> {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(PREFIX + roomId) ?? '[]');
    if (!Array.isArray(raw)) return new Set();
    return new Set(
      raw.filter((id): id is string => typeof id === 'string' && id.length <= 64).slice(-MAX_KEPT),
    );
  } catch {
    // Unreadable (or storage refused): every conversation shows, as before it was closed.
    return new Set();
  }
}

export function saveClosed(roomId: string, closed: ReadonlySet<string>): void {
  try {
    if (closed.size === 0) localStorage.removeItem(PREFIX + roomId);
    else localStorage.setItem(PREFIX + roomId, JSON.stringify([...closed].slice(-MAX_KEPT)));
  } catch {
    // Storage full or refused: it stays closed for this window's life.
  }
}
