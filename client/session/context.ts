/** What every panel of a session page reads: who I am, the session's rules, who is here. */
import type { ServerSocket } from '../connection';
import type { JoinReply, MembersMessage } from '../../server/protocol/server-events';

export class SessionContext {
  roster: MembersMessage;

  constructor(
    readonly socket: ServerSocket,
    readonly joined: JoinReply,
  ) {
    this.roster = joined.members;
  }

  get me() {
    return this.joined.member;
  }

  get fps(): number {
    return this.joined.video.fps;
  }

  get vocabulary() {
    return this.joined.session.vocabulary;
  }

  get isHost(): boolean {
    return this.me.role === 'host';
  }

  get canSteer(): boolean {
    return this.me.role !== 'spectator';
  }

  /** A member's display name ("you" for this member). */
  name(memberId: string | null): string {
    if (memberId === null) return 'nobody';
    if (memberId === this.me.id) return `${this.me.name} (you)`;
    return this.roster.members.find((m) => m.id === memberId)?.name ?? 'someone';
  }

  /** Ticks as seconds, for countdowns. */
  seconds(ticks: number): string {
    return `${Math.max(0, ticks / this.fps).toFixed(1)} s`;
  }
}
