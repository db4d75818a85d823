/** Spectator steering: which process of the fleet serves a session's spectators. */
import { edgeFor } from '../../server/fleet/steering';
import type { ProcessLoad } from '../../server/store';

const load = (processId: string, viewers: number, viewerCapacity = 1000, draining = false) =>
  ({
    processId,
    url: `http://${processId}:3000`,
    sessions: 1,
    capacity: 2,
    viewers,
    viewerCapacity,
    draining,
  }) satisfies ProcessLoad;

describe('edgeFor', () => {
  it('picks the process with the most viewer headroom by share, never the origin', () => {
    const loads = [load('origin', 0), load('busy', 900), load('roomy', 300, 500), load('big', 400)];
    // roomy: 60% used; big: 40% used; the idle origin is not an edge.
    expect(edgeFor(loads, 'origin')?.processId).toBe('big');
  });

  it('skips draining and full processes; none left means the origin serves', () => {
    const loads = [load('origin', 10), load('draining', 0, 1000, true), load('full', 1000)];
    expect(edgeFor(loads, 'origin')).toBeUndefined();
    expect(edgeFor([load('origin', 0)], 'origin')).toBeUndefined();
  });
});
