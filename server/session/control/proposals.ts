/**
 * Instruction proposals ("weather=snow") and the room's rule for applying them.
 *
 * Hosts and players propose; what happens next depends on the rule:
 * - 'host': the proposal waits until a host approves or rejects it. A host's own
 *   proposal is approved at once (asking oneself is pointless).
 * - 'vote': voters approve or reject (one changeable vote each; proposing counts as
 *   approving). It passes once approvals reach a strict majority of the eligible
 *   voters (floor(eligible / 2) + 1) and is rejected once rejections do.
 * Either way a proposal still pending `windowTicks` ticks after it was made expires,
 * so stale ideas do not linger on everyone's screen.
 *
 * At most one instruction is applied per tick (DESIGN.md, data flow step 2): approved
 * proposals queue in the order they were approved and the queue yields one per tick.
 * Each proposal is reported every tick while open and once more in its final state
 * (applied, rejected or expired), then forgotten.
 */
import { formatInstruction, Instruction } from '../../protocol/vocabulary';
import { InstructionRule } from './options';
import { Outcome, Refusal, refuse } from './policy';

export type ProposalState = 'pending' | 'approved' | 'applied' | 'rejected' | 'expired';

export interface ProposalView {
  readonly id: number;
  readonly instruction: Instruction;
  /** `slot=value`, ready to show. */
  readonly text: string;
  readonly proposer: string;
  readonly state: ProposalState;
  readonly proposedAt: number;
  /** First tick at which a still-pending proposal is expired. */
  readonly expiresAt: number;
  /** Counted votes (connected eligible voters; 'vote' rule only, else 0). */
  readonly approvals: number;
  readonly rejections: number;
  /** Approvals needed to pass under the 'vote' rule; null under the 'host' rule. */
  readonly needed: number | null;
  /** Tick the instruction was applied at (state 'applied'). */
  readonly appliedAt: number | null;
}

export interface ProposalOptions {
  readonly rule: InstructionRule;
  readonly windowTicks: number;
  readonly maxPending: number;
  readonly maxPendingPerMember: number;
}

interface Proposal {
  readonly id: number;
  readonly instruction: Instruction;
  readonly proposer: string;
  readonly proposedAt: number;
  state: ProposalState;
  appliedAt: number | null;
  /** Voter id → true (approve) / false (reject). */
  readonly votes: Map<string, boolean>;
}

export interface BoardStep {
  /** The instruction applied at this tick, if any. */
  readonly instruction: Instruction | null;
  /** Open proposals and those that reached a final state since the last step, by id. */
  readonly proposals: readonly ProposalView[];
}

export class ProposalBoard {
  private readonly proposals = new Map<number, Proposal>();
  private readonly queue: number[] = [];
  private nextId = 1;

  constructor(private readonly options: ProposalOptions) {}

  get rule(): InstructionRule {
    return this.options.rule;
  }

  propose(
    proposer: string,
    proposerIsHost: boolean,
    instruction: Instruction,
    tick: number,
  ): Outcome<{ proposalId: number }> {
    const open = [...this.proposals.values()].filter((p) => isOpen(p.state));
    if (open.length >= this.options.maxPending)
      return refuse(
        'RATE_LIMITED',
        `at most ${this.options.maxPending} instruction proposals may be open at once`,
      );
    if (open.filter((p) => p.proposer === proposer).length >= this.options.maxPendingPerMember)
      return refuse(
        'RATE_LIMITED',
        `at most ${this.options.maxPendingPerMember} of your proposals may be open at once`,
      );
    const proposal: Proposal = {
      id: this.nextId++,
      instruction,
      proposer,
      proposedAt: tick,
      state: 'pending',
      appliedAt: null,
      votes: new Map(),
    };
    this.proposals.set(proposal.id, proposal);
    if (this.options.rule === 'vote') proposal.votes.set(proposer, true);
    else if (proposerIsHost) this.approve(proposal);
    return { ok: true, proposalId: proposal.id };
  }

  /** A host's ruling ('host' rule). The room checks that the caller is a host. */
  review(proposalId: number, approve: boolean): Outcome {
    if (this.options.rule !== 'host')
      return refuse('BAD_REQUEST', 'this room decides instructions by vote; vote on it instead');
    const proposal = this.pending(proposalId);
    if (!proposal.ok) return proposal;
    if (approve) this.approve(proposal.proposal);
    else proposal.proposal.state = 'rejected';
    return { ok: true };
  }

  /** Sets (null withdraws) a voter's vote on a pending proposal ('vote' rule). */
  vote(voterId: string, proposalId: number, approve: boolean | null): Outcome {
    if (this.options.rule !== 'vote')
      return refuse('BAD_REQUEST', 'this room leaves instructions to the host; nothing to vote on');
    const proposal = this.pending(proposalId);
    if (!proposal.ok) return proposal;
    if (approve === null) proposal.proposal.votes.delete(voterId);
    else proposal.proposal.votes.set(voterId, approve);
    return { ok: true };
  }

  removeVoter(voterId: string): void {
    for (const proposal of this.proposals.values()) proposal.votes.delete(voterId);
  }

  /** Settles votes and expiry, applies at most one approved instruction, reports. */
  step(tick: number, eligible: ReadonlySet<string>): BoardStep {
    const needed = Math.floor(eligible.size / 2) + 1;
    for (const proposal of this.sorted()) {
      if (proposal.state !== 'pending') continue;
      if (tick >= proposal.proposedAt + this.options.windowTicks) {
        proposal.state = 'expired';
        continue;
      }
      if (this.options.rule !== 'vote' || eligible.size === 0) continue;
      const { approvals, rejections } = count(proposal, eligible);
      if (approvals >= needed) this.approve(proposal);
      else if (rejections >= needed) proposal.state = 'rejected';
    }
    let instruction: Instruction | null = null;
    const next = this.queue.shift();
    const applied = next === undefined ? undefined : this.proposals.get(next);
    if (applied) {
      applied.state = 'applied';
      applied.appliedAt = tick;
      instruction = applied.instruction;
    }
    const proposals = this.sorted().map((p) => this.view(p, eligible, needed));
    for (const proposal of this.sorted())
      if (!isOpen(proposal.state)) this.proposals.delete(proposal.id);
    return { instruction, proposals };
  }

  private approve(proposal: Proposal): void {
    proposal.state = 'approved';
    this.queue.push(proposal.id);
  }

  private pending(proposalId: number): { ok: true; proposal: Proposal } | Refusal {
    const proposal = this.proposals.get(proposalId);
    if (!proposal) return refuse('BAD_REQUEST', `no instruction proposal #${proposalId}`);
    if (proposal.state !== 'pending')
      return refuse(
        'BAD_REQUEST',
        `instruction proposal #${proposalId} is already ${proposal.state}`,
      );
    return { ok: true, proposal };
  }

  private sorted(): Proposal[] {
    return [...this.proposals.values()].sort((a, b) => a.id - b.id);
  }

  private view(proposal: Proposal, eligible: ReadonlySet<string>, needed: number): ProposalView {
    const isVote = this.options.rule === 'vote';
    const { approvals, rejections } = isVote
      ? count(proposal, eligible)
      : { approvals: 0, rejections: 0 };
    return {
      id: proposal.id,
      instruction: proposal.instruction,
      text: formatInstruction(proposal.instruction),
      proposer: proposal.proposer,
      state: proposal.state,
      proposedAt: proposal.proposedAt,
      expiresAt: proposal.proposedAt + this.options.windowTicks,
      approvals,
      rejections,
      needed: isVote ? needed : null,
      appliedAt: proposal.appliedAt,
    };
  }
}

function isOpen(state: ProposalState): boolean {
  return state === 'pending' || state === 'approved';
}

function count(
  proposal: Proposal,
  eligible: ReadonlySet<string>,
): { approvals: number; rejections: number } {
  let approvals = 0;
  let rejections = 0;
  for (const [voter, approve] of proposal.votes) {
    if (!eligible.has(voter)) continue;
    if (approve) approvals += 1;
    else rejections += 1;
  }
  return { approvals, rejections };
}
