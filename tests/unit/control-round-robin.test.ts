import { actionFromKeys, IDLE_ACTION } from '../../model/engine/actions';
import { ControlRoom, TickDecision } from '../../server/session/control/room';
import { engineVocabulary } from '../helpers/vocabulary';

const FORWARD = actionFromKeys(['forward']);
const LEFT = actionFromKeys(['turn_left']);

function roundRobin(turnTicks: number, awayTicks: number, ...players: string[]): ControlRoom {
  const room = new ControlRoom(engineVocabulary, {
    mode: 'round-robin',
    roundRobin: { turnTicks, awayTicks },
  });
  for (const id of players) room.join(id, 'player');
  return room;
}

const seqs = new Map<string, number>();
/** Decides ticks `from`..`to`; before each, the `alive` members send a (release) input. */
function run(room: ControlRoom, from: number, to: number, alive: string[]): TickDecision[] {
  const decisions: TickDecision[] = [];
  for (let tick = from; tick <= to; tick++) {
    for (const id of alive) {
      const seq = (seqs.get(id) ?? 0) + 1;
      seqs.set(id, seq);
      room.input(id, seq, IDLE_ACTION);
    }
    decisions.push(room.decide(tick));
  }
  return decisions;
}

const holders = (ds: TickDecision[]) =>
  ds.map((d) => (d.steering.mode === 'round-robin' ? d.steering.holder : 'not round-robin'));

beforeEach(() => seqs.clear());

describe('round-robin policy', () => {
  it('gives turns of turnTicks in join order, counting ticks left and showing the queue', () => {
    const room = roundRobin(3, 1000, 'a', 'b', 'c');
    const ds = run(room, 0, 9, ['a', 'b', 'c']);
    expect(holders(ds)).toEqual(['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'a']);
    expect(ds.slice(0, 4).map((d) => d.steering)).toEqual([
      { mode: 'round-robin', holder: 'a', ticksLeft: 3, queue: ['b', 'c'] },
      { mode: 'round-robin', holder: 'a', ticksLeft: 2, queue: ['b', 'c'] },
      { mode: 'round-robin', holder: 'a', ticksLeft: 1, queue: ['b', 'c'] },
      { mode: 'round-robin', holder: 'b', ticksLeft: 3, queue: ['c', 'a'] },
    ]);
  });

  it("steers with the holder's keys only", () => {
    const room = roundRobin(2, 1000, 'a', 'b');
    room.input('a', 1, FORWARD);
    room.input('b', 1, LEFT);
    expect(room.decide(0)).toMatchObject({ pilot: 'a', action: FORWARD, appliedSeq: 1 });
    room.input('a', 2, FORWARD);
    room.input('b', 2, LEFT);
    room.decide(1);
    expect(room.decide(2)).toMatchObject({ pilot: 'b', action: LEFT, appliedSeq: 2 });
  });

  it('skips a player with no input for awayTicks, and takes them back once they act', () => {
    const room = roundRobin(2, 2, 'a', 'b', 'c');
    // b never sends anything: away from tick 2 (joined at 0, awayTicks 2).
    expect(holders(run(room, 0, 5, ['a', 'c']))).toEqual(['a', 'a', 'c', 'c', 'a', 'a']);
    expect(holders(run(room, 6, 7, ['a', 'b', 'c']))).toEqual(['b', 'b']);
  });

  it('does not skip a newcomer before awayTicks have passed since they joined', () => {
    const room = roundRobin(1, 3, 'a');
    run(room, 0, 0, ['a']);
    room.join('late', 'player'); // stamped tick 1
    expect(holders(run(room, 1, 3, ['a']))).toEqual(['late', 'a', 'late']);
    expect(holders(run(room, 4, 5, ['a']))).toEqual(['a', 'a']);
  });

  it('cuts a turn short when its holder goes away mid-turn', () => {
    const room = roundRobin(10, 3, 'a', 'b');
    const ds = [...run(room, 0, 1, ['a', 'b']), ...run(room, 2, 4, ['b'])];
    expect(holders(ds)).toEqual(['a', 'a', 'a', 'a', 'b']);
    expect(ds[4].steering).toMatchObject({ holder: 'b', ticksLeft: 10 });
  });

  it('passes the turn on at once when its holder leaves or drops', () => {
    const room = roundRobin(10, 1000, 'a', 'b', 'c');
    expect(room.decide(0).pilot).toBe('a');
    room.leave('a');
    expect(room.decide(1).pilot).toBe('b');
    room.setConnected('b', false);
    expect(room.decide(2).pilot).toBe('c');
  });

  it('idles with everyone away, and the first one back takes the turn', () => {
    const room = roundRobin(5, 2, 'a', 'b');
    const ds = run(room, 0, 3, []);
    expect(ds[2]).toMatchObject({ pilot: null, idle: true, action: IDLE_ACTION });
    expect(ds[2].steering).toEqual({ mode: 'round-robin', holder: null, ticksLeft: 0, queue: [] });
    room.input('b', 1, FORWARD);
    expect(room.decide(4)).toMatchObject({ pilot: 'b', action: FORWARD, idle: false });
  });

  it('gives the only present player one turn after another', () => {
    const room = roundRobin(2, 1000, 'a');
    const ds = run(room, 0, 2, ['a']);
    expect(ds.map((d) => d.steering)).toEqual([
      { mode: 'round-robin', holder: 'a', ticksLeft: 2, queue: [] },
      { mode: 'round-robin', holder: 'a', ticksLeft: 1, queue: [] },
      { mode: 'round-robin', holder: 'a', ticksLeft: 2, queue: [] },
    ]);
  });

  it('never gives a spectator a turn, and refuses their keys', () => {
    const room = new ControlRoom(engineVocabulary, { mode: 'round-robin', spectatorsVote: true });
    room.join('s', 'spectator');
    room.join('h', 'host');
    expect(room.input('s', 1, FORWARD)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(room.decide(0).pilot).toBe('h');
  });
});
