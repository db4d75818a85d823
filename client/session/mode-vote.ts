/** Votes for another control mode, with each mode's progress toward the supermajority. */
import { CONTROL_MODES, type ControlMode } from '../../server/protocol/roles';
import type { TickMessage } from '../../server/protocol/server-events';
import { request } from '../connection';
import { fill, h, label } from '../dom';
import type { SessionContext } from './context';

export class ModeVotePanel {
  private mine: ControlMode | null = null;
  private shown = '';

  constructor(
    private readonly root: HTMLElement,
    private readonly ctx: SessionContext,
    private readonly notice: (text: string) => void,
  ) {}

  render(tick: TickMessage): void {
    const { modeVote } = tick;
    // The vote passed: a fresh start for everyone, mine included.
    if (modeVote.current === this.mine) this.mine = null;
    const key = JSON.stringify([modeVote, this.mine]);
    if (key === this.shown) return;
    this.shown = key;
    const others = CONTROL_MODES.filter((m) => m !== modeVote.current);
    fill(
      this.root,
      h('h3', {}, 'Vote for a mode'),
      ...others.map((mode) => {
        const votes = modeVote.votes[mode] ?? 0;
        return h(
          'button',
          {
            type: 'button',
            class: `mode-vote${this.mine === mode ? ' chosen' : ''}`,
            'data-mode': mode,
            onclick: () => this.vote(this.mine === mode ? null : mode),
          },
          label(mode),
          h('span', { class: 'progress' }, ` ${votes}/${modeVote.needed}`),
        );
      }),
      h(
        'div',
        { class: 'hint' },
        `a mode needs ${Math.round(modeVote.threshold * 100)}% of ${modeVote.eligible} voters`,
      ),
    );
  }

  private vote(mode: ControlMode | null): void {
    this.mine = mode;
    this.shown = '';
    request(this.ctx.socket, 'control:vote-mode', { mode }).catch((e) => this.notice(e.message));
  }
}
