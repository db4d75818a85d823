import { actionFromKeys } from '../../model/engine/actions';
import { ModeVote } from '../../server/session/control/mode-vote';
import { ControlMode } from '../../server/session/control/policy';
import { ControlRoom } from '../../server/session/control/room';
import { engineVocabulary } from '../helpers/vocabulary';

function room(threshold = 0.75, spectatorsVote = false): ControlRoom {
  const r = new ControlRoom(engineVocabulary, {
    mode: 'solo',
    modeVote: { threshold },
    spectatorsVote,
  });
  r.join('h', 'host');
  r.join('p1', 'player');
  r.join('p2', 'player');
  r.join('p3', 'player');
  return r;
}

function voteAll(r: ControlRoom, ids: string[], mode: ControlMode | null) {
  for (const id of ids) expect(r.voteMode(id, mode)).toEqual({ ok: true });
}

describe('mode switching by supermajority', () => {
  it('at 75% with 4 voters: 2 votes do not switch, 3 do, from that very tick', () => {
    const r = room();
    voteAll(r, ['p1', 'p2'], 'anarchy');
    const d0 = r.decide(0);
    expect(d0.mode).toBe('solo');
    expect(d0.modeVote).toMatchObject({ needed: 3, eligible: 4, threshold: 0.75 });
    expect(d0.modeVote.votes.anarchy).toBe(2);
    voteAll(r, ['p3'], 'anarchy');
    const d1 = r.decide(1);
    expect(d1.mode).toBe('anarchy');
    expect(d1.steering.mode).toBe('anarchy');
    expect(d1.modeChange).toEqual({ from: 'solo', to: 'anarchy', by: 'vote' });
    // Votes reset after a switch: going back takes a fresh supermajority.
    expect(d1.modeVote.votes.anarchy).toBe(0);
    expect(d1.modeVote.current).toBe('anarchy');
    expect(r.decide(2).modeChange).toBeNull();
  });

  it('74% fails and 75% passes at the default threshold', () => {
    const eligible = new Set(Array.from({ length: 100 }, (_, i) => `m${i}`));
    const votes = new ModeVote(0.75);
    for (let i = 0; i < 74; i++) votes.set(`m${i}`, 'democracy');
    expect(ModeVote.winner(votes.tally('anarchy', eligible))).toBeNull();
    votes.set('m74', 'democracy');
    expect(ModeVote.winner(votes.tally('anarchy', eligible))).toBe('democracy');
  });

  it('honours a configured threshold: at 76%, 3 of 4 is not enough', () => {
    const r = room(0.76);
    voteAll(r, ['h', 'p1', 'p2'], 'democracy');
    expect(r.decide(0).mode).toBe('solo');
    voteAll(r, ['p3'], 'democracy');
    expect(r.decide(1).mode).toBe('democracy');
  });

  it('never switches on votes for the current mode, and lets voters withdraw', () => {
    const r = room();
    voteAll(r, ['h', 'p1', 'p2', 'p3'], 'solo');
    expect(r.decide(0)).toMatchObject({ mode: 'solo', modeChange: null });
    voteAll(r, ['p1', 'p2', 'p3'], 'round-robin');
    voteAll(r, ['p3'], null);
    const d = r.decide(1);
    expect(d.mode).toBe('solo');
    expect(d.modeVote.votes).toEqual({ solo: 1, 'round-robin': 2, democracy: 0, anarchy: 0 });
  });

  it('counts only connected voters, keeping a dropped voter’s vote for their return', () => {
    const r = room();
    voteAll(r, ['p3', 'p1', 'p2'], 'anarchy');
    r.setConnected('p3', false);
    const d0 = r.decide(0); // 2 of 3 connected voters: needs ceil(2.25) = 3
    expect(d0.mode).toBe('solo');
    expect(d0.modeVote).toMatchObject({ eligible: 3, needed: 3 });
    expect(d0.modeVote.votes.anarchy).toBe(2);
    r.setConnected('p3', true);
    expect(r.decide(1).mode).toBe('anarchy');
  });

  it('drops the vote of a member who leaves', () => {
    const r = room();
    voteAll(r, ['p1', 'p2', 'p3'], 'anarchy');
    r.leave('p3');
    r.join('p4', 'player');
    const d = r.decide(0);
    expect(d.mode).toBe('solo');
    expect(d.modeVote.votes.anarchy).toBe(2);
  });

  it('spectators vote only when the room lets them, and then count in the denominator', () => {
    const closed = room();
    closed.join('s', 'spectator');
    expect(closed.voteMode('s', 'anarchy')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(closed.decide(0).modeVote.eligible).toBe(4);

    const open = new ControlRoom(engineVocabulary, { spectatorsVote: true });
    open.join('p1', 'player');
    open.join('p2', 'player');
    open.join('s1', 'spectator');
    open.join('s2', 'spectator');
    voteAll(open, ['p1', 'p2'], 'democracy');
    expect(open.decide(0).mode).toBe('solo'); // 2 of 4
    voteAll(open, ['s1'], 'democracy');
    expect(open.decide(1).mode).toBe('democracy'); // 3 of 4
  });

  it('refuses unknown modes and strangers', () => {
    const r = room();
    expect(r.voteMode('p1', 'chaos' as ControlMode)).toMatchObject({
      ok: false,
      code: 'BAD_REQUEST',
    });
    expect(r.voteMode('nobody', 'anarchy')).toMatchObject({ ok: false, code: 'NOT_JOINED' });
  });
});

describe('mode switching by the host', () => {
  it('switches at the next tick and resets mode votes; others may not', () => {
    const r = room();
    expect(r.setMode('p1', 'anarchy')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(r.setMode('h', 'bogus' as ControlMode)).toMatchObject({
      ok: false,
      code: 'BAD_REQUEST',
    });
    voteAll(r, ['p1', 'p2'], 'democracy');
    expect(r.setMode('h', 'round-robin')).toEqual({ ok: true });
    const d = r.decide(0);
    expect(d).toMatchObject({
      mode: 'round-robin',
      modeChange: { from: 'solo', to: 'round-robin', by: 'host' },
    });
    expect(d.steering.mode).toBe('round-robin');
    expect(d.modeVote.votes.democracy).toBe(0);
  });

  it('asking for the current mode changes nothing, votes included', () => {
    const r = room();
    voteAll(r, ['p1'], 'anarchy');
    r.setMode('h', 'solo');
    const d = r.decide(0);
    expect(d.modeChange).toBeNull();
    expect(d.modeVote.votes.anarchy).toBe(1);
  });

  it('starts the new policy fresh: a democracy window opens at the switch', () => {
    const r = new ControlRoom(engineVocabulary, {
      mode: 'democracy',
      democracy: { windowTicks: 4, quorum: 0 },
    });
    r.join('h', 'host');
    r.decide(0);
    r.decide(1);
    r.setMode('h', 'solo');
    r.decide(2);
    r.setMode('h', 'democracy');
    r.input('h', 1, actionFromKeys(['forward']));
    const d = r.decide(3);
    if (d.steering.mode !== 'democracy') throw new Error('expected democracy');
    expect(d.steering.window).toEqual({ start: 3, end: 6, ticksLeft: 4 });
  });
});
