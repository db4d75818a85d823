/** Who is here: hosts and players with their role and whether they are connected; spectators counted. */
import type { MembersMessage } from '../../server/protocol/server-events';
import { fill, h } from '../dom';
import type { SessionContext } from './context';

export function renderMembers(
  root: HTMLElement,
  roster: MembersMessage,
  ctx: SessionContext,
): void {
  fill(
    root,
    h('h3', {}, 'Members'),
    h(
      'ul',
      { id: 'members', class: 'members' },
      ...roster.members.map((m) =>
        h(
          'li',
          { class: m.connected ? 'connected' : 'away', 'data-member': m.id },
          h('span', { class: `role role-${m.role}` }, m.role),
          ' ',
          ctx.name(m.id),
          m.connected ? null : h('span', { class: 'away-tag' }, ' away'),
        ),
      ),
    ),
    h(
      'div',
      {},
      h('strong', { id: 'spectator-count' }, String(roster.spectators)),
      roster.spectators === 1 ? ' spectator' : ' spectators',
    ),
  );
}
