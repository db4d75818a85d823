import { actionFromKeys, IDLE_ACTION } from '../../model/engine/actions';
import { ControlRoom } from '../../server/session/control/room';
import { engineVocabulary } from '../helpers/vocabulary';

const FORWARD = actionFromKeys(['forward']);
const LEFT = actionFromKeys(['turn_left']);
const JUMP = actionFromKeys(['jump']);

function solo(staleTicks = 20): ControlRoom {
  return new ControlRoom(engineVocabulary, { mode: 'solo', staleTicks });
}

describe('solo policy', () => {
  it('starts with the host as pilot; only the pilot steers', () => {
    const room = solo();
    room.join('p1', 'player');
    room.join('host', 'host');
    room.input('host', 1, FORWARD);
    room.input('p1', 1, LEFT);
    const d = room.decide(0);
    expect(d.pilot).toBe('host');
    expect(d.action).toBe(FORWARD);
    expect(d.appliedSeq).toBe(1);
    expect(d.steering).toEqual({ mode: 'solo', pilot: 'host' });
    expect(d.idle).toBe(false);
  });

  it('without a host, the earliest-joined connected player pilots', () => {
    const room = solo();
    room.join('a', 'spectator');
    room.join('b', 'player');
    room.join('c', 'player');
    room.setConnected('b', false);
    expect(room.decide(0).pilot).toBe('c');
  });

  it('is idle, by its idle policy, with nobody able to pilot', () => {
    const room = solo();
    room.join('s', 'spectator');
    const d = room.decide(0);
    expect(d).toMatchObject({ action: IDLE_ACTION, pilot: null, appliedSeq: null, idle: true });
  });

  it('the host hands the controller to a player, whose keys then drive', () => {
    const room = solo();
    room.join('host', 'host');
    room.join('p1', 'player');
    room.input('host', 1, FORWARD);
    room.input('p1', 7, LEFT);
    expect(room.decide(0).pilot).toBe('host');
    expect(room.handOff('host', 'p1')).toEqual({ ok: true });
    const d = room.decide(1);
    expect(d).toMatchObject({ pilot: 'p1', action: LEFT, appliedSeq: 7 });
  });

  it('the pilot may pass the controller on; other players may not', () => {
    const room = solo();
    room.join('host', 'host');
    room.join('p1', 'player');
    room.join('p2', 'player');
    room.decide(0);
    expect(room.handOff('p1', 'p2')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    room.handOff('host', 'p1');
    room.decide(1);
    expect(room.handOff('p1', 'p2')).toEqual({ ok: true });
    expect(room.decide(2).pilot).toBe('p2');
  });

  it('refuses to hand the controller to a spectator, a stranger or a dropped member', () => {
    const room = solo();
    room.join('host', 'host');
    room.join('s', 'spectator');
    room.join('p', 'player');
    room.setConnected('p', false);
    expect(room.handOff('host', 's')).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(room.handOff('host', 'nobody')).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(room.handOff('host', 'p')).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(room.handOff('stranger', 'host')).toMatchObject({ ok: false, code: 'NOT_JOINED' });
    expect(room.decide(0).pilot).toBe('host');
  });

  it('has no controller to hand over in other modes', () => {
    const room = new ControlRoom(engineVocabulary, { mode: 'anarchy' });
    room.join('host', 'host');
    room.join('p', 'player');
    expect(room.handOff('host', 'p')).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });

  it('a departing pilot hands the controller back to the host', () => {
    const room = solo();
    room.join('host', 'host');
    room.join('p1', 'player');
    room.join('p2', 'player');
    room.handOff('host', 'p1');
    expect(room.decide(0).pilot).toBe('p1');
    room.leave('p1');
    expect(room.decide(1).pilot).toBe('host');
  });

  it('without a host, a departing pilot hands it to the next player in join order, wrapping', () => {
    const room = solo();
    room.join('a', 'player');
    room.join('b', 'player');
    room.join('c', 'player');
    room.join('d', 'player');
    room.setConnected('c', false);
    expect(room.decide(0).pilot).toBe('a');
    room.handOff('a', 'b');
    expect(room.decide(1).pilot).toBe('b');
    room.leave('b'); // c is disconnected: d is next
    expect(room.decide(2).pilot).toBe('d');
    room.leave('d'); // wraps around to a
    expect(room.decide(3).pilot).toBe('a');
  });

  it('a dropped pilot keeps the controller through the reconnection window, idle meanwhile', () => {
    const room = solo();
    room.join('a', 'player');
    room.join('b', 'player');
    room.input('a', 1, FORWARD);
    expect(room.decide(0).action).toBe(FORWARD);
    room.setConnected('a', false);
    expect(room.decide(1)).toMatchObject({ pilot: 'a', action: IDLE_ACTION, idle: true });
    room.setConnected('a', true);
    room.input('a', 2, LEFT);
    expect(room.decide(2)).toMatchObject({ pilot: 'a', action: LEFT, idle: false });
  });

  it('a tap shorter than a tick still reaches the world, once', () => {
    const room = solo();
    room.join('host', 'host');
    room.input('host', 1, JUMP);
    room.input('host', 2, IDLE_ACTION);
    expect(room.decide(0).action).toBe(JUMP);
    expect(room.decide(1).action).toBe(IDLE_ACTION);
  });

  it('held keys read as released once staleTicks pass without a refresh', () => {
    const room = solo(3);
    room.join('host', 'host');
    room.input('host', 1, FORWARD); // stamped tick 0
    expect(room.decide(0).action).toBe(FORWARD);
    expect(room.decide(2).action).toBe(FORWARD);
    expect(room.decide(3).action).toBe(IDLE_ACTION);
  });
});
