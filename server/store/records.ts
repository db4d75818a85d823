/**
 * Copies of exactly the fields a store keeps. Callers may pass richer objects (a
 * session's live member, say); a store must neither keep nor serialise the rest, and
 * the memory store hands out copies so no caller can change what it holds.
 */
import {
  ActionLogEntry,
  PresenceMember,
  ProcessLoad,
  SessionEntry,
  SessionOrigin,
} from './state-store';

export function pickOrigin(origin: SessionOrigin): SessionOrigin {
  const { seed, frameSource, width, height, tickHz } = origin;
  return { seed, frameSource, width, height, tickHz };
}

export function pickSession(entry: SessionEntry): SessionEntry {
  const { sessionId, processId, url } = entry;
  return { sessionId, processId, url, ...pickOrigin(entry) };
}

export function pickProcess(load: ProcessLoad): ProcessLoad {
  const { processId, url, sessions, capacity, viewers, draining } = load;
  return { processId, url, sessions, capacity, viewers, draining };
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
