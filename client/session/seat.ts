/**
 * Taking a seat: a resume of the seat this tab held (join token plus resume secret, kept
 * in sessionStorage so a reload keeps the seat and its votes; or both from the link,
 * `#token=…&resume=…`, when the session moved here from another server), else a join with
 * the token from the link (`#token=`), else an open invite in the asked role.
 */
import type { JoinReply } from '../../server/protocol/server-events';
import { request, ServerSocket } from '../connection';
import { displayName } from '../identity';

interface Seat {
  token: string;
  resume: string;
}

export async function takeSeat(
  socket: ServerSocket,
  sessionId: string,
  asked: { role: 'player' | 'spectator'; token: string | null; resume?: string },
): Promise<JoinReply> {
  const key = seatKey(sessionId);
  const moved = asked.token && asked.resume ? { token: asked.token, resume: asked.resume } : null;
  const saved = readSeat(key) ?? moved;
  let token: string;
  let reply: JoinReply | null = null;
  if (saved) {
    reply = await request(socket, 'join', saved).catch(() => null); // the window passed
    token = saved.token;
  }
  if (!reply) {
    sessionStorage.removeItem(key);
    token =
      asked.token ??
      (
        await request(socket, 'session:invite', {
          sessionId,
          role: asked.role,
          name: displayName(),
        })
      ).token;
    reply = await request(socket, 'join', { token });
  }
  sessionStorage.setItem(
    key,
    JSON.stringify({ token: token!, resume: reply.member.resumeToken } satisfies Seat),
  );
  // A recovered connection keeps the seat only with this proof.
  socket.auth = { ...(socket.auth as object), resume: reply.member.resumeToken };
  return reply;
}

/** This tab's seat in the session: its join token and resume secret (to take it back elsewhere). */
export function savedSeat(sessionId: string): Seat | null {
  return readSeat(seatKey(sessionId));
}

/** The session ended: the seat is gone with it. */
export function forgetSeat(sessionId: string): void {
  sessionStorage.removeItem(seatKey(sessionId));
}

function seatKey(sessionId: string): string {
  return `worldtick:seat:${sessionId}`;
}

function readSeat(key: string): Seat | null {
  try {
    const seat = JSON.parse(sessionStorage.getItem(key) ?? 'null') as Seat | null;
    return typeof seat?.token === 'string' && typeof seat.resume === 'string' ? seat : null;
  } catch {
    return null;
  }
}
