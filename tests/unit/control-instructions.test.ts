import { Instruction, parseInstruction } from '../../model/engine/instructions';
import { InstructionRule } from '../../server/session/control/options';
import { ProposalView } from '../../server/session/control/proposals';
import { ControlRoom, TickDecision } from '../../server/session/control/room';
import { engineVocabulary } from '../helpers/vocabulary';

const SNOW = parseInstruction('weather=snow');
const NIGHT = parseInstruction('time=night');
const FIRE = parseInstruction('event=fire');

function room(
  rule: InstructionRule,
  options: {
    windowTicks?: number;
    spectatorsVote?: boolean;
    perMember?: number;
    max?: number;
  } = {},
): ControlRoom {
  const r = new ControlRoom(engineVocabulary, {
    spectatorsVote: options.spectatorsVote ?? false,
    instructions: {
      rule,
      windowTicks: options.windowTicks ?? 5,
      maxPendingPerMember: options.perMember ?? 2,
      maxPending: options.max ?? 16,
    },
  });
  r.join('h', 'host');
  r.join('p1', 'player');
  r.join('p2', 'player');
  r.join('p3', 'player');
  return r;
}

function propose(r: ControlRoom, by: string, instruction: Instruction): number {
  const outcome = r.propose(by, instruction);
  if (!outcome.ok) throw new Error(`${outcome.code}: ${outcome.message}`);
  return outcome.proposalId;
}

const states = (d: TickDecision) => d.proposals.map((p) => [p.id, p.state]);

describe('instructions by host approval', () => {
  it('waits for the host, applies on the next tick, reports the result once', () => {
    const r = room('host');
    const id = propose(r, 'p1', SNOW);
    expect(id).toBe(1);
    const d0 = r.decide(0);
    expect(d0.instruction).toBeNull();
    expect(d0.proposals).toEqual<ProposalView[]>([
      {
        id: 1,
        instruction: SNOW,
        text: 'weather=snow',
        proposer: 'p1',
        state: 'pending',
        proposedAt: 0,
        expiresAt: 5,
        approvals: 0,
        rejections: 0,
        needed: null,
        appliedAt: null,
      },
    ]);
    expect(r.review('h', id, true)).toEqual({ ok: true });
    const d1 = r.decide(1);
    expect(d1.instruction).toEqual(SNOW);
    expect(d1.proposals).toMatchObject([{ id: 1, state: 'applied', appliedAt: 1 }]);
    const d2 = r.decide(2);
    expect(d2.instruction).toBeNull();
    expect(d2.proposals).toEqual([]);
  });

  it('rejects on the host’s word; a settled proposal cannot be ruled on again', () => {
    const r = room('host');
    const id = propose(r, 'p1', SNOW);
    expect(r.review('h', id, false)).toEqual({ ok: true });
    expect(r.review('h', id, true)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    const d = r.decide(0);
    expect(d.instruction).toBeNull();
    expect(states(d)).toEqual([[1, 'rejected']]);
    expect(r.decide(1).proposals).toEqual([]);
  });

  it('only the host rules; there is nothing to vote on', () => {
    const r = room('host');
    const id = propose(r, 'p1', SNOW);
    expect(r.review('p2', id, true)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(r.voteInstruction('p2', id, true)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(states(r.decide(0))).toEqual([[1, 'pending']]);
  });

  it("approves the host's own proposal at once", () => {
    const r = room('host');
    propose(r, 'h', NIGHT);
    expect(r.decide(0).instruction).toEqual(NIGHT);
  });

  it('expires a proposal still pending windowTicks after it was made', () => {
    const r = room('host', { windowTicks: 3 });
    const id = propose(r, 'p1', SNOW); // stamped tick 0: may pass at ticks 0..2
    expect([0, 1, 2].map((t) => states(r.decide(t)))).toEqual([
      [[1, 'pending']],
      [[1, 'pending']],
      [[1, 'pending']],
    ]);
    expect(states(r.decide(3))).toEqual([[1, 'expired']]);
    expect(r.review('h', id, true)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });

  it('applies at most one instruction per tick, in the order of approval', () => {
    const r = room('host');
    const a = propose(r, 'p1', SNOW);
    const b = propose(r, 'p1', NIGHT);
    propose(r, 'h', FIRE); // approved first (at once)
    r.review('h', b, true);
    r.review('h', a, true);
    const ds = [0, 1, 2, 3].map((t) => r.decide(t));
    expect(ds.map((d) => d.instruction)).toEqual([FIRE, NIGHT, SNOW, null]);
    expect(states(ds[0])).toEqual([
      [1, 'approved'],
      [2, 'approved'],
      [3, 'applied'],
    ]);
  });
});

describe('instructions by vote', () => {
  it('passes once a majority of eligible voters approve (3 of 4), proposing counting as yes', () => {
    const r = room('vote');
    const id = propose(r, 'p1', SNOW);
    const d0 = r.decide(0);
    expect(d0.proposals).toMatchObject([{ state: 'pending', approvals: 1, needed: 3 }]);
    r.voteInstruction('p2', id, true);
    expect(r.decide(1).proposals).toMatchObject([{ state: 'pending', approvals: 2 }]);
    r.voteInstruction('p3', id, true);
    const d2 = r.decide(2);
    expect(d2.instruction).toEqual(SNOW);
    expect(d2.proposals).toMatchObject([{ state: 'applied', approvals: 3, appliedAt: 2 }]);
  });

  it('lets voters change and withdraw their vote', () => {
    const r = room('vote');
    const id = propose(r, 'p1', SNOW);
    r.voteInstruction('p2', id, false);
    expect(r.decide(0).proposals).toMatchObject([{ approvals: 1, rejections: 1 }]);
    r.voteInstruction('p2', id, true);
    expect(r.decide(1).proposals).toMatchObject([{ approvals: 2, rejections: 0 }]);
    r.voteInstruction('p2', id, null);
    expect(r.decide(2).proposals).toMatchObject([{ approvals: 1, rejections: 0 }]);
  });

  it('rejects once a majority rejects', () => {
    const r = room('vote');
    const id = propose(r, 'p1', SNOW);
    for (const voter of ['h', 'p2', 'p3']) r.voteInstruction(voter, id, false);
    const d = r.decide(0);
    expect(d.instruction).toBeNull();
    expect(d.proposals).toMatchObject([{ state: 'rejected', rejections: 3 }]);
  });

  it('expires without a majority within the window', () => {
    const r = room('vote', { windowTicks: 2 });
    const id = propose(r, 'p1', SNOW);
    r.voteInstruction('p2', id, true); // 2 of 4: not a majority
    expect(states(r.decide(0))).toEqual([[1, 'pending']]);
    expect(states(r.decide(1))).toEqual([[1, 'pending']]);
    expect(states(r.decide(2))).toEqual([[1, 'expired']]);
    expect(r.voteInstruction('p3', id, true)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });

  it('counts only connected voters', () => {
    const r = room('vote');
    r.setConnected('p3', false);
    const id = propose(r, 'p1', SNOW);
    r.voteInstruction('p2', id, true); // 2 of 3 connected
    expect(r.decide(0).instruction).toEqual(SNOW);
  });

  it('the host has no veto under the vote rule', () => {
    const r = room('vote');
    const id = propose(r, 'p1', SNOW);
    expect(r.review('h', id, false)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });
});

describe('instruction rights and hygiene', () => {
  it('spectators never propose, and vote only when the room lets them', () => {
    const closed = room('vote');
    closed.join('s', 'spectator');
    expect(closed.propose('s', SNOW)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const id = propose(closed, 'p1', SNOW);
    expect(closed.voteInstruction('s', id, true)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(closed.decide(0).proposals).toMatchObject([{ needed: 3 }]); // 4 voters

    const open = room('vote', { spectatorsVote: true });
    open.join('s1', 'spectator');
    open.join('s2', 'spectator');
    expect(open.propose('s1', SNOW)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const id2 = propose(open, 'p1', SNOW);
    open.voteInstruction('s1', id2, true);
    open.voteInstruction('s2', id2, true);
    expect(open.decide(0).proposals).toMatchObject([{ needed: 4, approvals: 3 }]); // 6 voters
    open.voteInstruction('p2', id2, true);
    expect(open.decide(1).instruction).toEqual(SNOW);
  });

  it('limits open proposals per member and per room', () => {
    const r = room('host', { perMember: 2, max: 3 });
    propose(r, 'p1', SNOW);
    propose(r, 'p1', NIGHT);
    expect(r.propose('p1', FIRE)).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    propose(r, 'p2', FIRE);
    expect(r.propose('p3', FIRE)).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    r.review('h', 1, false);
    expect(r.propose('p1', FIRE)).toMatchObject({ ok: true, proposalId: 4 });
  });

  it.each([NaN, -1, 0, 1.5, Infinity])('refuses proposal id %p', (id) => {
    const r = room('host');
    propose(r, 'p1', SNOW);
    expect(r.review('h', id, true)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });

  it('refuses unknown ids, non-boolean verdicts, malformed instructions and strangers', () => {
    const r = room('host');
    const id = propose(r, 'p1', SNOW);
    expect(r.review('h', 99, true)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(r.review('h', id, 'yes' as unknown as boolean)).toMatchObject({
      ok: false,
      code: 'BAD_REQUEST',
    });
    const lava = { slot: 'weather', value: 'lava' } as unknown as Instruction;
    expect(r.propose('p1', lava)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(r.propose('nobody', SNOW)).toMatchObject({ ok: false, code: 'NOT_JOINED' });
    expect(r.review('nobody', id, true)).toMatchObject({ ok: false, code: 'NOT_JOINED' });
    expect(states(r.decide(0))).toEqual([[1, 'pending']]);
  });
});
