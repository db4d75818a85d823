/**
 * Who steers and how, from each tick's steering state: the pilot in solo, the turn and
 * its countdown in round-robin, the live tally with the leading combination and the
 * window's countdown in democracy, the merged action in anarchy.
 */
import type { SteeringState, TickMessage } from '../../server/protocol/server-events';
import { fill, h, label } from '../dom';
import type { SessionContext } from './context';

const combo = (keys: readonly string[]) => (keys.length ? keys.map(label).join(' + ') : 'idle');

export function renderHud(root: HTMLElement, tick: TickMessage, ctx: SessionContext): void {
  fill(
    root,
    h('div', { class: 'hud-mode' }, h('span', { id: 'mode' }, label(tick.mode))),
    ...steeringLines(tick.steering, ctx),
    h(
      'div',
      { class: 'hud-action' },
      'world steps with: ',
      h('strong', { id: 'hud-action' }, combo(tick.keys)),
    ),
  );
}

function steeringLines(state: SteeringState, ctx: SessionContext) {
  switch (state.mode) {
    case 'solo':
      return [h('div', {}, 'pilot: ', h('strong', { id: 'pilot' }, ctx.name(state.pilot)))];
    case 'round-robin':
      return [
        h(
          'div',
          {},
          'turn: ',
          h('strong', { id: 'pilot' }, ctx.name(state.holder)),
          ` · ${ctx.seconds(state.ticksLeft)} left`,
        ),
        state.queue.length
          ? h('div', { class: 'hint' }, 'next: ', state.queue.map((id) => ctx.name(id)).join(', '))
          : null,
      ];
    case 'democracy': {
      const leading = state.tally[0];
      const most = Math.max(1, ...state.tally.map((t) => t.votes));
      return [
        h(
          'div',
          {},
          'leading: ',
          h('strong', { id: 'leading' }, leading ? combo(leading.keys) : 'no votes'),
          ` · window ends in ${ctx.seconds(state.window.ticksLeft)}`,
        ),
        h(
          'ol',
          { id: 'tally', class: 'tally' },
          ...state.tally
            .slice(0, 5)
            .map((t) =>
              h(
                'li',
                {},
                h('span', { class: 'bar', style: `width:${(100 * t.votes) / most}%` }),
                h('span', { class: 'combo' }, combo(t.keys)),
                h('span', { class: 'votes' }, String(t.votes)),
              ),
            ),
        ),
        h(
          'div',
          { class: 'hint' },
          `${state.cast} of ${state.eligible} voted`,
          state.needed > 1 ? ` (${state.needed} needed)` : '',
        ),
      ];
    }
    case 'anarchy': {
      const pressed = Object.entries(state.pressed).sort((a, b) => b[1] - a[1]);
      return [
        h('div', {}, `${state.contributors} steering at once`),
        pressed.length
          ? h('div', { class: 'hint' }, pressed.map(([k, n]) => `${label(k)} ×${n}`).join(' · '))
          : null,
      ];
    }
  }
}
