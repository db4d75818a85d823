import { IDLE_ACTION } from '../../server/protocol/vocabulary';
import { mergeAnarchy, opposites } from '../../server/session/control/anarchy';
import { ControlRoom } from '../../server/session/control/room';
import { engineVocabulary } from '../helpers/vocabulary';

const k = (...keys: string[]) => engineVocabulary.actionFromKeys(keys);
const layout = opposites(engineVocabulary.keys);
const merge = (members: number[]) => mergeAnarchy(layout, members);
const merged = (...members: number[]) => engineVocabulary.keysFromAction(merge(members).action);

describe('anarchy merge', () => {
  it('lets one member move the world when nobody opposes', () => {
    expect(merged(k('forward'), IDLE_ACTION, IDLE_ACTION)).toEqual(['forward']);
    expect(merged(k('forward'), k('turn_left'))).toEqual(['forward', 'turn_left']);
  });

  it('cancels opposite keys held by as many members on each side', () => {
    expect(merged(k('forward'), k('back'))).toEqual([]);
    expect(merged(k('turn_left'), k('turn_right'), k('forward'))).toEqual(['forward']);
    expect(merged(k('strafe_left', 'strafe_right'))).toEqual([]);
  });

  it('lets the larger side of an axis win', () => {
    expect(merged(k('forward'), k('forward'), k('forward'), k('back'))).toEqual(['forward']);
    expect(merged(k('turn_right'), k('turn_right'), k('turn_left'))).toEqual(['turn_right']);
  });

  it('presses a button when at least half of the contributors hold it', () => {
    expect(merged(k('jump'), k('forward'))).toEqual(['forward', 'jump']); // 1 of 2
    expect(merged(k('jump'), k('forward'), k('forward'))).toEqual(['forward']); // 1 of 3
    expect(merged(k('sprint'), k('sprint'), k('forward'), k('forward'))).toEqual([
      'forward',
      'sprint',
    ]); // 2 of 4
  });

  it('lets members holding nothing abstain instead of voting "stand still"', () => {
    expect(merged(k('jump'), IDLE_ACTION, IDLE_ACTION, IDLE_ACTION)).toEqual(['jump']);
    const crowd = merge([k('jump', 'forward'), IDLE_ACTION, k('forward')]);
    expect(crowd.contributors).toBe(2);
    expect(crowd.pressed).toEqual({ forward: 2, jump: 1 });
  });

  it('is idle with no keys held', () => {
    expect(merge([]).action).toBe(IDLE_ACTION);
    expect(merge([IDLE_ACTION, IDLE_ACTION])).toEqual({
      action: IDLE_ACTION,
      contributors: 0,
      pressed: {},
    });
  });
});

describe('anarchy axes', () => {
  it('pairs opposite keys by name, whatever the vocabulary; the rest are buttons', () => {
    expect(opposites(engineVocabulary.keys)).toEqual({
      keys: engineVocabulary.keys,
      axes: [
        [0, 1],
        [2, 3],
        [4, 5],
      ],
      buttons: [6, 7],
    });
    const keys = ['jump', 'look_up', 'left', 'walk', 'right', 'look_down', 'look_left'];
    expect(opposites(keys)).toMatchObject({
      axes: [
        [1, 5],
        [2, 4],
      ],
      buttons: [0, 3, 6],
    });
  });

  it('merges a vocabulary without opposites as buttons', () => {
    const own = opposites(['walk', 'retreat']);
    expect(mergeAnarchy(own, [1, 2]).action).toBe(3);
    expect(mergeAnarchy(own, [1, 1, 2]).action).toBe(1);
  });
});

describe('anarchy policy', () => {
  it("merges every host's and player's keys each tick, taps included", () => {
    const room = new ControlRoom(engineVocabulary, { mode: 'anarchy' });
    room.join('h', 'host');
    room.join('p1', 'player');
    room.join('p2', 'player');
    room.input('h', 1, k('forward'));
    room.input('p1', 1, k('forward'));
    room.input('p2', 1, k('back', 'jump'));
    room.input('p2', 2, IDLE_ACTION); // tapped within the tick: still counts once
    const d = room.decide(0);
    expect(d.keys).toEqual(['forward']);
    expect(d).toMatchObject({ pilot: null, appliedSeq: null, idle: false });
    expect(d.steering).toEqual({
      mode: 'anarchy',
      contributors: 3,
      pressed: { forward: 2, back: 1, jump: 1 },
    });
    const next = room.decide(1); // p2 released; h and p1 still hold forward
    expect(next.steering).toMatchObject({ contributors: 2 });
  });

  it('is idle when nobody holds a key, and refuses spectators’ keys', () => {
    const room = new ControlRoom(engineVocabulary, { mode: 'anarchy', spectatorsVote: true });
    room.join('p', 'player');
    room.join('s', 'spectator');
    expect(room.input('s', 1, k('jump'))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(room.decide(0)).toMatchObject({ action: IDLE_ACTION, idle: true });
  });
});
