/**
 * Instructions: a picker built from the vocabulary (slots and their values, no free
 * text), the open proposals with vote buttons (or approve/reject for the host under
 * the host rule), and what was applied, when.
 */
import type { Proposal, TickMessage } from '../../server/protocol/server-events';
import { request } from '../connection';
import { fill, h, label } from '../dom';
import type { SessionContext } from './context';

const APPLIED_SHOWN = 5;

export class InstructionsPanel {
  private readonly proposals: HTMLElement = h('ul', { id: 'proposals', class: 'proposals' });
  private readonly applied: HTMLElement = h('ul', { id: 'applied-log', class: 'applied-log' });
  private readonly history: { text: string; tick: number }[] = [];
  private shown = '';

  constructor(
    root: HTMLElement,
    private readonly ctx: SessionContext,
    private readonly notice: (text: string) => void,
  ) {
    fill(
      root,
      h('h3', {}, 'Instructions'),
      ctx.canSteer ? this.picker() : null,
      this.proposals,
      this.applied,
    );
  }

  render(tick: TickMessage): void {
    for (const text of tick.instructions) {
      this.history.unshift({ text, tick: tick.tick });
      this.history.length = Math.min(this.history.length, APPLIED_SHOWN);
    }
    const open = tick.proposals.filter((p) => p.state === 'pending');
    const key = JSON.stringify([open, this.history]);
    if (key === this.shown) return;
    this.shown = key;
    fill(this.proposals, ...open.map((p) => this.proposal(p, tick.tick)));
    fill(
      this.applied,
      ...this.history.map((a) =>
        h('li', {}, h('strong', {}, a.text), ` applied at tick ${a.tick}`),
      ),
    );
  }

  private picker(): HTMLElement {
    const { slots } = this.ctx.vocabulary;
    const value = h('select', { id: 'instruction-value', name: 'value' });
    const slot = h(
      'select',
      { id: 'instruction-slot', name: 'slot' },
      ...slots.map((s) => h('option', { value: s.name }, label(s.name))),
    );
    const values = () =>
      fill(
        value,
        ...(slots.find((s) => s.name === slot.value)?.values ?? []).map((v) =>
          h('option', { value: v }, label(v)),
        ),
      );
    slot.addEventListener('change', values);
    values();
    return h(
      'form',
      {
        id: 'instruct',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const text = `${slot.value}=${value.value}`;
          const rule = this.ctx.joined.session.instructionRule;
          request(this.ctx.socket, 'instruction', { text }).then(
            () =>
              this.notice(
                `proposed ${text}${rule === 'host' ? ': waiting for the host' : ': waiting for votes'}`,
              ),
            (e) => this.notice(e.message),
          );
        },
      },
      slot,
      value,
      h('button', { type: 'submit' }, 'Propose'),
    );
  }

  private proposal(p: Proposal, now: number): HTMLElement {
    const rule = this.ctx.joined.session.instructionRule;
    const act = (event: 'instruction:vote' | 'instruction:review', approve: boolean) =>
      request(this.ctx.socket, event, { proposalId: p.id, approve }).catch((e) =>
        this.notice(e.message),
      );
    const buttons =
      rule === 'vote' && this.ctx.canSteer
        ? [
            h(
              'button',
              { type: 'button', class: 'approve', onclick: () => act('instruction:vote', true) },
              'yes',
            ),
            h(
              'button',
              { type: 'button', class: 'reject', onclick: () => act('instruction:vote', false) },
              'no',
            ),
          ]
        : rule === 'host' && this.ctx.isHost
          ? [
              h(
                'button',
                {
                  type: 'button',
                  class: 'approve',
                  onclick: () => act('instruction:review', true),
                },
                'approve',
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'reject',
                  onclick: () => act('instruction:review', false),
                },
                'reject',
              ),
            ]
          : [];
    const progress =
      p.needed === null ? 'host decides' : `${p.approvals}/${p.needed} yes, ${p.rejections} no`;
    return h(
      'li',
      { 'data-proposal': p.id },
      h('strong', {}, p.text),
      ` by ${this.ctx.name(p.proposer)} · ${progress} · ${this.ctx.seconds(p.expiresAt - now)} left `,
      ...buttons,
    );
  }
}
