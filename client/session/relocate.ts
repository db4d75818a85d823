/**
 * When this page's server is gone for good (its process died), the fleet resumes the
 * session on another server (docs/DEPLOY.md, failover). The other servers named at join
 * are asked where it is now; the page then goes there with its join token and its seat's
 * resume secret, so the member takes back the same seat (same id, role and name), which
 * the new server restored from the store.
 */
import { io } from 'socket.io-client';
import { request, ServerSocket } from '../connection';

const ASK_TIMEOUT_MS = 2000;

/** Where the session runs now by one of `fleet`'s answers, or null while none knows it elsewhere. */
export async function locateMoved(
  fleet: readonly string[],
  sessionId: string,
  role: 'player' | 'spectator',
): Promise<string | null> {
  for (const url of fleet) {
    const socket: ServerSocket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: ASK_TIMEOUT_MS,
    });
    try {
      const { url: now } = await request(socket, 'session:locate', { sessionId, role });
      if (now !== location.origin) return now;
    } catch {
      // That one is away too, or does not know the session (yet): ask the next.
    } finally {
      socket.close();
    }
  }
  return null;
}

/** The session's page on `origin`, joining with `token` (and resuming the seat `resume` holds). */
export function pageOn(
  origin: string,
  sessionId: string,
  seat: { token: string | null; resume?: string },
): string {
  const url = new URL(`/s/${sessionId}${location.search}`, origin);
  url.searchParams.set(STEERED, '1');
  const hash = new URLSearchParams();
  if (seat.token) hash.set('token', seat.token);
  if (seat.token && seat.resume) hash.set('resume', seat.resume);
  url.hash = hash.toString();
  return url.href;
}

/** Set on a page the fleet sent here, so it is not sent on again. */
const STEERED = 'steered';

/**
 * A spectator's page opened from a link to the session's own server: where the fleet
 * serves its spectators best (an edge), if that is another server; null to stay.
 */
export async function spectatorEdge(
  socket: ServerSocket,
  sessionId: string,
): Promise<string | null> {
  if (new URLSearchParams(location.search).has(STEERED)) return null;
  const { url } = await request(socket, 'session:locate', { sessionId, role: 'spectator' });
  return url === location.origin ? null : url;
}
