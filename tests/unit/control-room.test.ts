import { actionFromKeys, IDLE_ACTION } from '../../model/engine/actions';
import { parseInstruction } from '../../model/engine/instructions';
import { ControlRoom, TickDecision } from '../../server/session/control/room';
import { engineVocabulary } from '../helpers/vocabulary';

const F = actionFromKeys(['forward']);
const L = actionFromKeys(['turn_left']);

describe('ControlRoom input hygiene', () => {
  it('refuses keys from non-members', () => {
    const room = new ControlRoom(engineVocabulary);
    expect(room.input('ghost', 1, F)).toMatchObject({ ok: false, code: 'NOT_JOINED' });
  });

  it.each([NaN, -1, 1.5, Infinity, -Infinity, '3' as unknown as number])(
    'refuses sequence number %p',
    (seq) => {
      const room = new ControlRoom(engineVocabulary);
      room.join('h', 'host');
      expect(room.input('h', seq, F)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
      expect(room.decide(0).action).toBe(IDLE_ACTION);
    },
  );

  it.each([NaN, -1, 256, 1.5, Infinity])('refuses action bits %p', (bits) => {
    const room = new ControlRoom(engineVocabulary);
    room.join('h', 'host');
    expect(room.input('h', 1, bits)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(room.decide(0).action).toBe(IDLE_ACTION);
  });

  it('refuses spectators’ keys where they do not vote, with FORBIDDEN', () => {
    const room = new ControlRoom(engineVocabulary, { mode: 'solo' });
    room.join('s', 'spectator');
    const outcome = room.input('s', 1, F);
    expect(outcome).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    if (!outcome.ok) expect(outcome.message).toMatch(/spectators cannot steer in solo mode/);
  });

  it('drops duplicate and reordered sequence numbers quietly', () => {
    const room = new ControlRoom(engineVocabulary);
    room.join('h', 'host');
    expect(room.input('h', 5, F)).toEqual({ ok: true, duplicate: false });
    expect(room.input('h', 5, L)).toEqual({ ok: true, duplicate: true });
    expect(room.input('h', 4, L)).toEqual({ ok: true, duplicate: true });
    expect(room.decide(0)).toMatchObject({ action: F, appliedSeq: 5 });
  });

  it('releases a dropped member’s keys', () => {
    const room = new ControlRoom(engineVocabulary);
    room.join('h', 'host');
    room.input('h', 1, F);
    room.setConnected('h', false);
    expect(room.decide(0).action).toBe(IDLE_ACTION);
  });

  it('throws on session misuse: duplicate join, unknown role, ticks not moving forward', () => {
    const room = new ControlRoom(engineVocabulary, {}, 5);
    room.join('h', 'host');
    expect(() => room.join('h', 'player')).toThrow(/already joined/);
    expect(() => room.join('x', 'admin' as 'host')).toThrow(/unknown role/);
    expect(() => room.decide(4)).toThrow(RangeError);
    room.decide(5);
    expect(() => room.decide(5)).toThrow(RangeError);
    expect(() => room.decide(NaN)).toThrow(RangeError);
    expect(() => room.decide(6.5)).toThrow(RangeError);
    expect(room.decide(6).tick).toBe(6);
    expect(room.lastTick).toBe(6);
  });

  it('ignores leave and setConnected for unknown members', () => {
    const room = new ControlRoom(engineVocabulary);
    expect(() => room.leave('ghost')).not.toThrow();
    expect(() => room.setConnected('ghost', false)).not.toThrow();
    expect(room.has('ghost')).toBe(false);
  });
});

describe('ControlRoom decisions', () => {
  it('tells the room everything about a tick', () => {
    const room = new ControlRoom(engineVocabulary, { mode: 'solo' });
    room.join('h', 'host');
    room.join('p', 'player');
    room.input('h', 3, F);
    room.voteMode('p', 'anarchy');
    room.propose('h', parseInstruction('weather=rain'));
    room.propose('p', parseInstruction('time=dusk'));
    expect(room.decide(0)).toEqual<TickDecision>({
      tick: 0,
      mode: 'solo',
      modeChange: null,
      action: F,
      keys: ['forward'],
      pilot: 'h',
      appliedSeq: 3,
      idle: false,
      steering: { mode: 'solo', pilot: 'h' },
      modeVote: {
        current: 'solo',
        votes: { solo: 0, 'round-robin': 0, democracy: 0, anarchy: 1 },
        eligible: 2,
        needed: 2,
        threshold: 0.75,
      },
      instruction: parseInstruction('weather=rain'),
      proposals: [
        expect.objectContaining({ id: 1, state: 'applied', appliedAt: 0 }),
        expect.objectContaining({ id: 2, state: 'pending', proposer: 'p' }),
      ],
    });
  });

  it('is deterministic: the same calls give the same decisions', () => {
    const script = (): TickDecision[] => {
      const room = new ControlRoom(engineVocabulary, {
        mode: 'democracy',
        democracy: { windowTicks: 2, quorum: 0 },
      });
      const out: TickDecision[] = [];
      for (const id of ['a', 'b', 'c', 'd']) room.join(id, 'player');
      for (let tick = 0; tick < 12; tick++) {
        room.input(['a', 'b', 'c', 'd'][tick % 4], tick + 1, tick % 3 === 0 ? F : L);
        if (tick === 5) ['a', 'b', 'c'].forEach((id) => room.voteMode(id, 'anarchy'));
        out.push(room.decide(tick));
      }
      return out;
    };
    const first = script();
    expect(script()).toEqual(first);
    // Votes cast before tick 5 is decided take effect at tick 5 itself.
    expect(first[4].mode).toBe('democracy');
    expect(first[5].modeChange).toEqual({ from: 'democracy', to: 'anarchy', by: 'vote' });
    expect(first[5].steering.mode).toBe('anarchy');
  });
});
