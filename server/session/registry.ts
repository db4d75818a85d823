/**
 * The sessions this process serves: creating one opens its world in the frame source
 * and its video stream; closing one frees both.
 */
import { FrameSource } from '../generator/frame-source';
import { Logger } from '../log';
import { LatestPilotPolicy } from './control/latest-pilot';
import { WireError } from './errors';
import { Session } from './session';
import { SessionVideo } from './session-video';

export interface RegistryOptions {
  source: FrameSource;
  createVideo: () => Promise<SessionVideo>;
  staleInputMs: number;
  inputRateLimit: number;
  log: Logger;
}

export const SESSION_ID = /^[a-z0-9-]{1,40}$/;

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: RegistryOptions) {}

  async create(id: string, seed: number): Promise<Session> {
    if (!SESSION_ID.test(id))
      throw new WireError('BAD_REQUEST', 'session ids are 1-40 of a-z, 0-9 and -');
    if (this.sessions.has(id)) throw new WireError('BAD_REQUEST', `session "${id}" already exists`);
    const video = await this.options.createVideo();
    this.options.source.open(id, { seed });
    const session = new Session(id, {
      seed,
      video,
      policy: new LatestPilotPolicy(),
      staleInputMs: this.options.staleInputMs,
      inputRateLimit: this.options.inputRateLimit,
    });
    this.sessions.set(id, session);
    // Send the opening frame so the stream has a picture before the first tick.
    await video.pushFrame(0, this.options.source.current(id));
    this.options.log.info('session created', {
      sessionId: id,
      seed,
      source: this.options.source.name,
    });
    return session;
  }

  get(id: string): Session {
    const session = this.sessions.get(id);
    if (!session) throw new WireError('UNKNOWN_SESSION', `no session "${id}"`);
    return session;
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }

  close(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    session.close();
    this.options.source.close(id);
    this.options.log.info('session closed', { sessionId: id });
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.close(id);
  }
}
