/**
 * Copies of exactly the fields a store keeps. Callers may pass richer objects (a
 * session's live member, say); a store must neither keep nor serialise the rest, and
 * the memory store hands out copies so no caller can change what it holds.
 */
import {
  ActionLogEntry,
  PresenceMember,
  ProcessLoad,
  SeatRecord,
  SessionEntry,
  SessionOrigin,
} from './state-store';

export function pickOrigin(origin: SessionOrigin): SessionOrigin {
  const { seed, frameSource, width, height, tickHz, title, controlMode, instructionRule } = origin;
  return {
    seed,
    frameSource,
    width,
    height,
    tickHz,
    ...defined({ title, controlMode, instructionRule }),
  };
}

/** Only the fields given: an absent one is not stored (nor written as "undefined"). */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

export function pickSession(entry: SessionEntry): SessionEntry {
  const { sessionId, processId, url, players, spectators, paused, startedAt } = entry;
  const summary = { players, spectators, paused, startedAt };
  return { sessionId, processId, url, ...pickOrigin(entry), ...defined(summary) };
}

export function pickProcess(load: ProcessLoad): ProcessLoad {
  const { processId, url, sessions, capacity, viewers, viewerCapacity, draining } = load;
  return { processId, url, sessions, capacity, viewers, viewerCapacity, draining };
}

export function pickMember(member: PresenceMember): PresenceMember {
  const { memberId, role } = member;
  return { memberId, role };
}

export function pickEntry(entry: ActionLogEntry): ActionLogEntry {
  const { tick, action, instructions, pilot } = entry;
  return {
    tick,
    action,
    instructions: instructions.map(({ slot, value }) => ({ slot, value })),
    pilot,
  };
}

export function pickSeat(seat: SeatRecord): SeatRecord {
  const { memberId, name, role, tokenId, resumeToken } = seat;
  return { memberId, name, role, tokenId, resumeToken };
}
