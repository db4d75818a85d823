import { ActionBits, actionFromKeys, IDLE_ACTION } from '../../model/engine/actions';
import { rankVotes } from '../../server/session/control/democracy';
import { DemocracyState } from '../../server/session/control/policy';
import { ControlRoom, TickDecision } from '../../server/session/control/room';
import { engineVocabulary } from '../helpers/vocabulary';

const F = actionFromKeys(['forward']);
const B = actionFromKeys(['back']);
const L = actionFromKeys(['turn_left']);
const FJ = actionFromKeys(['forward', 'jump']);
const SPRINT = actionFromKeys(['sprint']);

function democracy(
  windowTicks: number,
  voters: string[],
  extra: { quorum?: number; spectatorsVote?: boolean } = {},
): ControlRoom {
  const room = new ControlRoom(engineVocabulary, {
    mode: 'democracy',
    democracy: { windowTicks, quorum: extra.quorum ?? 0 },
    spectatorsVote: extra.spectatorsVote ?? false,
  });
  for (const id of voters) room.join(id, 'player');
  return room;
}

function state(d: TickDecision): DemocracyState {
  if (d.steering.mode !== 'democracy') throw new Error(`not democracy: ${d.steering.mode}`);
  return d.steering;
}

const tally = (d: TickDecision) => state(d).tally.map((c) => [c.keys.join('+'), c.votes]);

describe('democracy policy', () => {
  it('with a one-tick window, the plurality of the keys held applies at once', () => {
    const room = democracy(1, ['v1', 'v2', 'v3']);
    room.input('v1', 1, F);
    room.input('v2', 1, F);
    room.input('v3', 1, L);
    const d0 = room.decide(0);
    expect(d0).toMatchObject({ action: F, pilot: null, appliedSeq: null, idle: false });
    expect(tally(d0)).toEqual([
      ['forward', 2],
      ['turn_left', 1],
    ]);
    expect(state(d0)).toMatchObject({ cast: 3, eligible: 3, needed: 1, closed: true });
    expect(state(d0).window).toEqual({ start: 0, end: 0, ticksLeft: 1 });
    // v2 and v3 keep holding (no new message); v1 changes to turn_left.
    room.input('v1', 2, L);
    expect(room.decide(1).action).toBe(L);
  });

  it('applies a window’s winner at its last tick and holds it through the next window', () => {
    const room = democracy(3, ['v1', 'v2', 'v3']);
    room.input('v1', 1, F);
    room.input('v1', 2, IDLE_ACTION); // a tap: releasing does not withdraw the vote
    const d0 = room.decide(0);
    expect(d0).toMatchObject({ action: IDLE_ACTION, idle: true });
    expect(state(d0)).toMatchObject({ closed: false, cast: 1, window: { ticksLeft: 3 } });
    room.input('v2', 1, L);
    room.input('v3', 1, L);
    const d1 = room.decide(1);
    expect(d1.action).toBe(IDLE_ACTION);
    expect(tally(d1)).toEqual([
      ['turn_left', 2],
      ['forward', 1],
    ]);
    expect(state(d1).window.ticksLeft).toBe(2);
    room.input('v2', 2, IDLE_ACTION);
    room.input('v3', 2, IDLE_ACTION);
    const d2 = room.decide(2);
    expect(d2).toMatchObject({ action: L, idle: false });
    expect(state(d2)).toMatchObject({ closed: true, applied: L, window: { start: 0, end: 2 } });
    // Nobody votes in the next window: its result is the idle action.
    const next = [3, 4, 5].map((t) => room.decide(t));
    expect(next.map((d) => d.action)).toEqual([L, L, IDLE_ACTION]);
    expect(next.map((d) => d.idle)).toEqual([false, false, true]);
    expect(state(next[0]).window).toEqual({ start: 3, end: 5, ticksLeft: 3 });
  });

  it('holds one changeable vote per voter: the latest press replaces the earlier one', () => {
    const room = democracy(2, ['v1']);
    room.input('v1', 1, F);
    room.input('v1', 2, L);
    room.input('v1', 3, IDLE_ACTION);
    room.decide(0);
    const d = room.decide(1);
    expect(tally(d)).toEqual([['turn_left', 1]]);
    expect(d.action).toBe(L);
  });

  it('counts keys still held from an earlier window, not a press released before it', () => {
    const room = democracy(2, ['holder', 'tapper']);
    room.input('holder', 1, F);
    room.input('tapper', 1, L);
    room.input('tapper', 2, IDLE_ACTION);
    room.decide(0);
    expect(tally(room.decide(1))).toEqual([
      ['forward', 1],
      ['turn_left', 1],
    ]);
    room.decide(2);
    expect(tally(room.decide(3))).toEqual([['forward', 1]]);
  });

  it('breaks ties: the action in force, then fewer keys, then the lower bitmask', () => {
    const counts = (entries: [ActionBits, number][]) => new Map(entries);
    const order = (c: Map<ActionBits, number>, applied: ActionBits) =>
      rankVotes(c, applied, engineVocabulary).map((v) => v.action);
    expect(
      order(
        counts([
          [L, 1],
          [F, 1],
        ]),
        IDLE_ACTION,
      ),
    ).toEqual([F, L]);
    expect(
      order(
        counts([
          [FJ, 1],
          [SPRINT, 1],
        ]),
        IDLE_ACTION,
      ),
    ).toEqual([SPRINT, FJ]); // one key beats two, though sprint's bitmask is higher
    expect(
      order(
        counts([
          [F, 1],
          [L, 1],
        ]),
        L,
      ),
    ).toEqual([L, F]);
    expect(
      order(
        counts([
          [F, 1],
          [FJ, 2],
        ]),
        F,
      ),
    ).toEqual([FJ, F]);
  });

  it('keeps the action in force when a vote change produces a tie', () => {
    const room = democracy(1, ['v1', 'v2']);
    room.input('v1', 1, L);
    room.input('v2', 1, L);
    expect(room.decide(0).action).toBe(L);
    room.input('v2', 2, F); // 1–1: forward has the lower bitmask, but turn_left is in force
    expect(room.decide(1).action).toBe(L);
    // Without a winner in force, the lower bitmask wins the same tie.
    const fresh = democracy(1, ['v1', 'v2']);
    fresh.input('v1', 1, L);
    fresh.input('v2', 1, F);
    expect(fresh.decide(0).action).toBe(F);
  });

  it('treats a window below quorum as idle', () => {
    const room = democracy(1, ['v1', 'v2', 'v3', 'v4'], { quorum: 0.5 });
    room.input('v1', 1, F);
    const d0 = room.decide(0);
    expect(d0).toMatchObject({ action: IDLE_ACTION, idle: true });
    expect(state(d0)).toMatchObject({ cast: 1, needed: 2, eligible: 4 });
    room.input('v2', 1, B);
    const d1 = room.decide(1);
    expect(d1.action).toBe(F); // 1–1 tie, quorum met: forward has the lower bitmask
    expect(d1.idle).toBe(false);
  });

  it('ignores spectators unless the room lets them vote', () => {
    const closed = democracy(1, ['p']);
    closed.join('s', 'spectator');
    expect(closed.input('s', 1, L)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(state(closed.decide(0)).eligible).toBe(1);

    const open = democracy(1, ['p'], { spectatorsVote: true });
    open.join('s1', 'spectator');
    open.join('s2', 'spectator');
    open.input('p', 1, F);
    expect(open.input('s1', 1, L)).toEqual({ ok: true, duplicate: false });
    open.input('s2', 1, L);
    const d = open.decide(0);
    expect(d.action).toBe(L);
    expect(state(d)).toMatchObject({ eligible: 3, cast: 3 });
  });

  it('does not count a voter whose connection dropped', () => {
    const room = democracy(1, ['v1', 'v2']);
    room.input('v1', 1, F);
    room.input('v2', 1, L);
    room.setConnected('v1', false);
    const d = room.decide(0);
    expect(d.action).toBe(L);
    expect(state(d)).toMatchObject({ eligible: 1, cast: 1 });
  });

  it('closes an overdue window at once when ticks were skipped', () => {
    const room = democracy(3, ['v1']);
    room.decide(0);
    room.input('v1', 1, F);
    const d = room.decide(7);
    expect(state(d)).toMatchObject({ closed: true, window: { start: 0, end: 2 } });
    expect(d.action).toBe(F);
    expect(state(room.decide(8)).window).toEqual({ start: 8, end: 10, ticksLeft: 3 });
  });
});
