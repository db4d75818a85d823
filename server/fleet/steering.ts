/**
 * Where a session's spectator is best served: players stay on the session's origin
 * (lowest latency, the only place that steers), spectators go to the process of the
 * fleet with the most viewer headroom other than the origin, which relays the stream
 * (edge-relay.ts); the origin serves them itself only when no other process has room.
 */
import { WireError } from '../session/errors';
import type { ProcessDirectory, ProcessLoad, SessionDirectory } from '../store';

/** The other process with the most viewer headroom (by share of its capacity), if any has room. */
export function edgeFor(loads: readonly ProcessLoad[], originId: string): ProcessLoad | undefined {
  const used = (load: ProcessLoad) => load.viewers / load.viewerCapacity;
  return loads
    .filter((load) => load.processId !== originId && !load.draining && used(load) < 1)
    .sort((a, b) => used(a) - used(b))[0];
}

export class SpectatorSteering {
  constructor(
    private readonly directory: SessionDirectory,
    private readonly processes: ProcessDirectory,
  ) {}

  /** The URL a member of the session in `role` connects to. */
  async locate(sessionId: string, role: 'player' | 'spectator'): Promise<string> {
    const entry = await this.directory.lookup(sessionId);
    if (!entry) throw new WireError('UNKNOWN_SESSION', `no process serves session "${sessionId}"`);
    if (role === 'player') return entry.url;
    const loads = await this.processes.list().catch(() => []);
    return edgeFor(loads, entry.processId)?.url ?? entry.url;
  }
}
