/** The host's controls: set the mode, hand off the solo controls, invite, close the session. */
import { CONTROL_MODES } from '../../server/protocol/roles';
import type { TickMessage } from '../../server/protocol/server-events';
import { request } from '../connection';
import { fill, h, label } from '../dom';
import { linkRow, sessionLink } from '../share';
import type { SessionContext } from './context';

export class HostPanel {
  private readonly handOff = h('div', { class: 'hand-off' });
  private readonly invites = h('div', { id: 'invites' });
  private readonly inviteName = h('input', {
    id: 'invite-name',
    placeholder: 'their name',
    maxLength: 40,
  });
  private shownFor = '';

  constructor(
    root: HTMLElement,
    private readonly ctx: SessionContext,
    private readonly notice: (text: string) => void,
  ) {
    const mode = h(
      'select',
      { id: 'set-mode' },
      ...CONTROL_MODES.map((m) => h('option', { value: m }, label(m))),
    );
    fill(
      root,
      h('h3', {}, 'Host'),
      h(
        'div',
        {},
        mode,
        h(
          'button',
          {
            type: 'button',
            id: 'apply-mode',
            onclick: () =>
              this.call('control:set-mode', { mode: mode.value }, `mode set to ${mode.value}`),
          },
          'Set mode',
        ),
      ),
      this.handOff,
      h(
        'div',
        {},
        this.inviteName,
        h(
          'button',
          { type: 'button', id: 'invite-player', onclick: () => this.invite('player') },
          'Invite a player',
        ),
        h(
          'button',
          { type: 'button', id: 'invite-spectator', onclick: () => this.invite('spectator') },
          'Invite a spectator',
        ),
      ),
      this.invites,
      h(
        'button',
        {
          type: 'button',
          id: 'close-session',
          class: 'danger',
          onclick: () =>
            confirm('Close the session for everyone?') &&
            this.call('session:close', {}, 'session closed'),
        },
        'Close session',
      ),
    );
  }

  /** Hand-off choices follow the roster and the mode (solo only). */
  render(tick: TickMessage): void {
    const players = this.ctx.roster.members.filter(
      (m) => m.id !== this.ctx.me.id && m.role !== 'spectator' && m.connected,
    );
    const key = JSON.stringify([tick.mode, players]);
    if (key === this.shownFor) return;
    this.shownFor = key;
    if (tick.mode !== 'solo' || players.length === 0) return fill(this.handOff);
    const to = h(
      'select',
      { id: 'hand-off-to' },
      ...players.map((m) => h('option', { value: m.id }, m.name)),
    );
    fill(
      this.handOff,
      to,
      h(
        'button',
        {
          type: 'button',
          id: 'hand-off',
          onclick: () =>
            this.call(
              'control:hand-off',
              { to: to.value },
              `handed the controls to ${this.ctx.name(to.value)}`,
            ),
        },
        'Hand off',
      ),
    );
  }

  /** A request whose outcome the host reads in the notice line. */
  private call(event: Parameters<typeof request>[1], payload: unknown, done: string): void {
    request(this.ctx.socket, event, payload).then(
      () => this.notice(done),
      (e) => this.notice(e.message),
    );
  }

  private async invite(role: 'player' | 'spectator'): Promise<void> {
    const name = this.inviteName.value.trim() || (role === 'player' ? 'player' : 'viewer');
    try {
      const { token } = await request(this.ctx.socket, 'session:invite', {
        sessionId: this.ctx.joined.session.id,
        role,
        name,
      });
      const href = sessionLink(this.ctx.joined.session.id, {
        token,
        spectator: role === 'spectator',
      });
      this.invites.prepend(linkRow(`${role} invite for ${name}`, href, `invite-${role}`));
    } catch (error) {
      this.notice((error as Error).message);
    }
  }
}
