/**
 * Liveness of lobby entries: one probe of an entry (its addresses in turn, within the probe
 * budget) and what its outcome does to the entry. Kept apart from Discovery so the rules (a
 * goodbye is believed only after a failed check; rationing is never a miss) are unit-tested
 * without multicast.
 */
import type { Endpoint } from '../../shared/api';
import { MAX_TXT_MEMBERS, type RoomInfo } from '../../shared/protocol';
import { fetchInfoTls } from '../roomInfo/fetchInfoTls';
import { endpointKey, endpointsOf, type Entry } from './entries';
import type { ProbeBudget } from './ProbeBudget';

/** Probe rounds in a row a room may fail before it leaves the lobby. */
export const MISSES_TO_DROP = 2;
/** A probe the budget did not let start is tried again this soon; it is not a miss. */
export const DEFERRED_RETRY_MS = 500;
/**
 * A goodbye is checked twice: at once, and again this much later if the room still answered
 * (a host says goodbye just before it closes its listener). Either failure drops the room.
 */
export const GOODBYE_CHECKS = 2;
export const GOODBYE_RECHECK_MS = 1000;

export type ProbeOutcome =
  | { kind: 'answered'; info: RoomInfo; endpoint: Endpoint }
  /** The budget refused an address and no other answered: inconclusive. */
  | { kind: 'refused' }
  | { kind: 'failed' };

/**
 * Asks the entry's addresses in turn, best first, over TLS pinned to its fingerprint; the first
 * to answer as this same room ends it. An address the budget refuses now is skipped, and makes
 * the round inconclusive rather than a miss: rationing must never drop a live room.
 * `wanted` says whether the entry still matters (it may be dropped meanwhile).
 */
export async function probeEntry(
  entry: Entry,
  budget: ProbeBudget,
  timeoutMs: number,
  wanted: () => boolean,
): Promise<ProbeOutcome> {
  let refused = false;
  for (const endpoint of endpointsOf(entry)) {
    if (!wanted()) break;
    const slot = budget.take(endpoint.host, endpoint.port);
    if (typeof slot === 'string') {
      refused = true;
      if (slot === 'global') break;
      continue;
    }
    try {
      const { info } = await fetchInfoTls(endpoint, entry.fingerprint, timeoutMs);
      // Another room now at this address, or a count no room has, is no answer from this one.
      if (info.id === entry.id && info.members <= MAX_TXT_MEMBERS)
        return { kind: 'answered', info, endpoint };
    } catch {
      // Unreachable, or another certificate: try the next address.
    } finally {
      slot.release();
    }
  }
  return { kind: refused ? 'refused' : 'failed' };
}

/**
 * Applies a probe's outcome to the entry: an answer lists it (`listedSeq` from `nextSeq`) and
 * refreshes it from the room's info; a refusal reschedules it soon; a failure is a miss, and
 * drops it after MISSES_TO_DROP, or at once after a goodbye or when nothing announces it any
 * more. Returns why to drop it, or null to keep it.
 */
export function applyOutcome(
  entry: Entry,
  outcome: ProbeOutcome,
  now: number,
  probeIntervalMs: number,
  nextSeq: () => number,
): string | null {
  if (outcome.kind === 'answered') {
    const { info, endpoint } = outcome;
    entry.misses = 0;
    entry.listedSeq ??= nextSeq();
    entry.verified.set(endpointKey(endpoint), { endpoint, at: now });
    entry.name = info.name;
    entry.host = info.host;
    entry.members = info.members;
    entry.v = info.v;
    entry.passcode = info.passcode === true;
    if (entry.goodbyeChecks > 0) entry.goodbyeChecks--;
    entry.dueAt = now + (entry.goodbyeChecks > 0 ? GOODBYE_RECHECK_MS : probeIntervalMs);
    return null;
  }
  if (outcome.kind === 'refused') {
    entry.dueAt = now + DEFERRED_RETRY_MS;
    return null;
  }
  // After a goodbye one failed check is enough: the host said it was leaving.
  if (entry.goodbyeChecks > 0) return 'said goodbye and stopped answering';
  if (++entry.misses >= MISSES_TO_DROP || entry.sightings.size === 0) return 'stopped answering';
  entry.dueAt = now + probeIntervalMs;
  return null;
}

/** A goodbye (or an expired record) for a listed entry: check it at once, twice. */
export function onGoodbye(entry: Entry): void {
  entry.goodbyeChecks = GOODBYE_CHECKS;
  entry.dueAt = 0;
}
