/**
 * A session (/s/<id>): joins in the role the link asks for, plays the video, steers with
 * keyboard, gamepad or touch, and shows who steers and how, the votes, the members, the
 * host's controls and (behind a toggle) the stats. Every shown frame is traced back to
 * its tick through its RTP timestamp, so what the page says was applied is what the
 * frame on screen was made with.
 */
import { tickOfRtpTimestamp } from '../../server/protocol/rtp-timestamp';
import type { JoinReply, TickMessage } from '../../server/protocol/server-events';
import { connect } from '../connection';
import { byId, fill, h, label } from '../dom';
import { watchGamepads } from '../input/gamepad';
import { HeldKeys } from '../input/held-keys';
import { keyboardMap, watchKeyboard } from '../input/keyboard';
import { touchControls } from '../input/touch';
import { VideoReceiver } from '../media';
import { linkRow, sessionLink } from '../share';
import { SessionContext } from './context';
import { HostPanel } from './host-panel';
import { renderHud } from './hud';
import { InstructionsPanel } from './instructions';
import { renderMembers } from './members';
import { ModeVotePanel } from './mode-vote';
import { pageOn, locateMoved, spectatorEdge } from './relocate';
import { forgetSeat, savedSeat, takeSeat } from './seat';
import { StatsPanel } from './stats';

/** State the page exposes for end-to-end tests. */
const state = {
  status: 'connecting',
  memberId: '',
  role: '',
  /** What draws the frames: "engine" or "generator:<model>@<version>". */
  source: '',
  mode: '',
  framesShown: 0,
  lastShownTick: -1,
  shownTicks: [] as number[],
  latenciesMs: [] as number[],
  /** When the video consumer was set up, and when its first frame was shown (performance.now()). */
  consumedAt: 0,
  firstFrameAt: 0,
};
(window as unknown as { worldtick: typeof state }).worldtick = state;

const TICKS_KEPT = 400;
/** How long a lost connection may try to come back before the fleet is asked, then how often. */
const RELOCATE_AFTER_MS = 1000;
const RELOCATE_EVERY_MS = 500;

export function sessionPage(root: HTMLElement, sessionId: string): void {
  const params = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.slice(1));
  const asked = {
    role: params.get('role') === 'spectator' ? ('spectator' as const) : ('player' as const),
    token: hash.get('token'),
    // The seat this member held on a server that went away (relocate.ts).
    resume: hash.get('resume') ?? undefined,
  };
  const video = h('video', { id: 'video', autoplay: true, muted: true, playsInline: true });
  const stage = h('div', { class: 'stage' }, video);
  const side = h('aside', { class: 'panels' });
  fill(root, h('div', { class: 'session' }, stage, side));
  byId('title').textContent = sessionId;

  const socket = connect();
  const receiver = new VideoReceiver(socket);
  const ticks = new Map<number, TickMessage>();
  let newestTick = 0;
  let view: SessionView | null = null;
  let closed = false;

  const setStatus = (status: string, kind = '') => {
    state.status = status;
    byId('state').textContent = status;
    byId('state').className = `state ${kind}`;
  };
  const banner = (text: string | null) => {
    byId('banner').hidden = text === null;
    byId('banner').textContent = text ?? '';
  };

  const join = async () => {
    setStatus('joining');
    // Spectators watch from the fleet's edge with most room; players stay here.
    const edge =
      asked.role === 'spectator' &&
      !savedSeat(sessionId) &&
      (await spectatorEdge(socket, sessionId).catch(() => null));
    if (edge) return location.replace(pageOn(edge, sessionId, asked));
    const joined = await takeSeat(socket, sessionId, asked);
    state.memberId = joined.member.id;
    state.role = joined.member.role;
    state.source = joined.video.source;
    view ??= new SessionView(
      side,
      stage,
      new SessionContext(socket, joined),
      receiver,
      state.latenciesMs,
    );
    view.rejoined(joined);
    await receiver.start(joined.video.rtpCapabilities, video);
    state.consumedAt = performance.now();
    state.firstFrameAt = 0;
    setStatus('live', 'live');
    banner(null);
  };

  socket.on('connect', () => {
    if (closed) return;
    view?.held.resetSequence();
    // A recovered connection still holds its seat, room and media.
    if (socket.recovered) return (setStatus('live', 'live'), banner(null));
    join().catch((error) => {
      setStatus('error', 'error');
      banner(`Could not join: ${error.message ?? error}`);
    });
  });
  // Still away after a while: the server may be gone for good, and the session resumed on
  // another server of the fleet. Ask them until one knows, unless this one comes back.
  let relocating: ReturnType<typeof setTimeout> | null = null;
  const relocate = async () => {
    const fleet = view?.ctx.joined.fleet ?? [];
    if (socket.connected || closed || fleet.length === 0) return void (relocating = null);
    banner('The server is not answering: looking for the session on another server…');
    const moved = await locateMoved(fleet, sessionId, asked.role);
    if (moved) return location.replace(pageOn(moved, sessionId, savedSeat(sessionId) ?? asked));
    relocating = setTimeout(relocate, RELOCATE_EVERY_MS);
  };
  socket.on('connect', () => {
    if (relocating) clearTimeout(relocating);
    relocating = null;
  });
  socket.on('disconnect', () => {
    if (closed) return;
    setStatus('reconnecting', 'error');
    banner('Connection lost: reconnecting… your seat and votes are kept.');
    relocating ??= setTimeout(relocate, RELOCATE_AFTER_MS);
  });
  socket.on('wt:error', (error) => view?.notice(`${error.code}: ${error.message}`));
  socket.on('media:reset', () => {
    if (!view) return;
    setStatus('reconnecting media');
    receiver
      .start(view.ctx.joined.video.rtpCapabilities, video)
      .then(() => setStatus('live', 'live'))
      .catch((error) => view?.notice(String(error.message ?? error)));
  });
  socket.on('session:closed', ({ reason }) => {
    closed = true;
    forgetSeat(sessionId);
    view?.held.setEnabled(false);
    receiver.stop();
    setStatus('closed', 'error');
    banner(`This session has ended (${reason}).`);
    socket.disconnect();
  });
  socket.on('session:draining', ({ withinMs }) =>
    banner(
      `This server is shutting down: the session ends within ${Math.ceil(withinMs / 1000)} s. ` +
        'A session started from the lobby now runs on another server.',
    ),
  );
  socket.on('session:members', (roster) => view?.members(roster));
  socket.on('tick', (tick) => {
    ticks.set(tick.tick, tick);
    ticks.delete(tick.tick - TICKS_KEPT);
    newestTick = tick.tick;
    state.mode = tick.mode;
    view?.tick(tick);
  });

  const onFrame = (now: number, metadata: VideoFrameCallbackMetadata) => {
    const fps = view?.ctx.fps ?? 20;
    const tick =
      metadata.rtpTimestamp === undefined
        ? -1
        : tickOfRtpTimestamp(metadata.rtpTimestamp, fps, newestTick);
    state.framesShown++;
    if (!state.firstFrameAt) state.firstFrameAt = now;
    state.lastShownTick = tick;
    state.shownTicks.push(tick);
    if (state.shownTicks.length > 1000) state.shownTicks.shift();
    const meta = ticks.get(tick);
    if (view && meta) view.frameShown(meta, now);
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

/** The panels of a joined session, built once the vocabulary and role are known. */
class SessionView {
  readonly held: HeldKeys;
  private readonly hud = h('section', { class: 'panel', id: 'hud' });
  private readonly modeVote?: ModeVotePanel;
  private readonly instructions: InstructionsPanel;
  private readonly membersPanel = h('section', { class: 'panel', id: 'members-panel' });
  private readonly host?: HostPanel;
  private readonly stats: StatsPanel;
  private readonly noticeLine = h('p', { id: 'notice', role: 'status' });

  constructor(
    side: HTMLElement,
    stage: HTMLElement,
    readonly ctx: SessionContext,
    receiver: VideoReceiver,
    /** This member's action-to-photon latencies (the page state's list, shown by the stats). */
    latenciesMs: number[],
  ) {
    const { joined } = ctx;
    const notice = (text: string) => this.notice(text);
    byId('title').textContent = joined.session.title;
    byId('role').textContent = joined.member.role;
    byId('source').textContent = joined.video.source;
    document.body.classList.toggle('spectator', !ctx.canSteer);

    this.held = new HeldKeys(joined.session.vocabulary.keys, (message) =>
      ctx.socket.emit('action', message),
    );
    this.held.setEnabled(ctx.canSteer);
    const modeVote = h('section', { class: 'panel', id: 'mode-vote' });
    const instructions = h('section', { class: 'panel', id: 'instructions' });
    const hostRoot = h('section', { class: 'panel', id: 'host-panel' });
    const share = h('section', { class: 'panel', id: 'share' }, h('h3', {}, 'Share'));
    const applied = h(
      'div',
      { class: 'applied' },
      'on screen: ',
      h('strong', { id: 'applied' }, '–'),
      ' · tick ',
      h('span', { id: 'tick' }, '–'),
    );
    side.append(this.hud, applied, this.noticeLine);
    if (ctx.canSteer) {
      this.modeVote = new ModeVotePanel(modeVote, ctx, notice);
      side.append(modeVote);
      const keys = joined.session.vocabulary.keys;
      watchKeyboard(this.held, keyboardMap(keys));
      watchGamepads(this.held);
      stage.append(touchControls(this.held, keys));
      side.append(keyHelp(keys));
    }
    this.instructions = new InstructionsPanel(instructions, ctx, notice);
    side.append(instructions, this.membersPanel);
    if (ctx.isHost) {
      this.host = new HostPanel(hostRoot, ctx, notice);
      side.append(hostRoot);
    }
    if (joined.session.openInvites) {
      share.append(
        linkRow('player link', sessionLink(joined.session.id), 'player'),
        linkRow('spectator link', sessionLink(joined.session.id, { spectator: true }), 'spectator'),
      );
      side.append(share);
    }
    this.stats = new StatsPanel(side, () => receiver.stats(), latenciesMs);
    this.members(ctx.roster);
  }

  /** A fresh join after a lost connection: the seat is the same, the roster is new. */
  rejoined(joined: JoinReply): void {
    this.members(joined.members);
  }

  members(roster: SessionContext['roster']): void {
    this.ctx.roster = roster;
    renderMembers(this.membersPanel, roster, this.ctx);
  }

  tick(tick: TickMessage): void {
    renderHud(this.hud, tick, this.ctx);
    this.modeVote?.render(tick);
    this.instructions.render(tick);
    this.host?.render(tick);
  }

  /** The frame on screen was made at `tick`: what it applied, and which of my presses it answers. */
  frameShown(tick: TickMessage, now: number): void {
    byId('tick').textContent = String(tick.tick);
    byId('applied').textContent = [...tick.keys, ...tick.instructions].join(' ') || 'idle';
    this.stats.frameShown(now);
    for (const press of this.held.answered(tick.keys, now)) this.stats.latency(now - press.at);
  }

  notice(text: string): void {
    this.noticeLine.textContent = text;
  }
}

function keyHelp(keys: readonly string[]): HTMLElement {
  const map = keyboardMap(keys);
  const byKey = new Map<string, string[]>();
  for (const [code, key] of map)
    byKey.set(key, [...(byKey.get(key) ?? []), code.replace(/^Key|^Digit|^Arrow/, '')]);
  return h(
    'details',
    { class: 'hint' },
    h('summary', {}, 'Keys'),
    h(
      'p',
      {},
      ...[...byKey].map(([key, codes]) =>
        h('span', { class: 'key-help' }, ...codes.map((c) => h('kbd', {}, c)), ` ${label(key)} `),
      ),
    ),
    h('p', {}, 'Gamepads work too: left stick moves, right stick turns, A jumps, B sprints.'),
  );
}
