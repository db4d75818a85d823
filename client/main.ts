/**
 * The browser app: joins the session named in the URL (/s/<id>, default "default"),
 * plays its video, sends held keys and instructions (players), and shows the tick,
 * the applied action and the action-to-photon latency. Every displayed frame is
 * traced back to its tick through its RTP timestamp.
 */
import { io } from 'socket.io-client';
import { watchKeyboard } from './keyboard';
import { VideoReceiver } from './media';
import { tickOfRtpTimestamp } from '../server/media/rtp-timestamp';
import { request } from './request';

interface TickMetadata {
  tick: number;
  keys: string[];
  pilot: string | null;
  appliedSeq: number | null;
  instructions: string[];
}
interface JoinReply {
  member: { id: string; role: 'host' | 'player' | 'spectator'; resumeToken: string };
  video: { rtpCapabilities: unknown; fps: number; width: number; height: number; source: string };
}

const $ = (id: string) => document.getElementById(id)!;
const video = $('video') as HTMLVideoElement;
const sessionId = /^\/s\/([a-z0-9-]{1,40})/.exec(location.pathname)?.[1] ?? 'default';
const askedRole =
  new URLSearchParams(location.search).get('role') === 'spectator' ? 'spectator' : 'player';
/** A join token from a host's link (`#token=...`), else an open invite is requested. */
const linkToken = new URLSearchParams(location.hash.slice(1)).get('token');
const seatKey = `worldtick:seat:${sessionId}`;
let role: 'player' | 'spectator' = askedRole;

/** State the page exposes for end-to-end tests and the latency overlay. */
const state = {
  status: 'connecting',
  memberId: '',
  /** What draws the frames: "engine" or "generator:<model>@<version>". */
  source: '',
  framesShown: 0,
  lastShownTick: -1,
  shownTicks: [] as number[],
  latenciesMs: [] as number[],
  /** When the video consumer was set up, and when its first frame was shown (performance.now()). */
  consumedAt: 0,
  firstFrameAt: 0,
};
(window as unknown as { worldtick: typeof state }).worldtick = state;

const ticks = new Map<number, TickMetadata>();
const sentAt = new Map<number, number>();
let seq = 0;
let newestTick = 0;
let routerCapabilities: unknown = null;
let toTick: (rtp: number) => number = () => -1;

$('session').textContent = `session ${sessionId}`;
($('spectate') as HTMLAnchorElement).href = `/s/${sessionId}?role=spectator`;

const socket = io({ transports: ['websocket'] });
const receiver = new VideoReceiver(socket);

function setStatus(status: string, kind = '') {
  state.status = status;
  $('state').textContent = status;
  $('state').className = `state ${kind}`;
}

function notice(text: string) {
  $('notice').textContent = text;
}

async function joinToken(): Promise<string> {
  if (linkToken) return linkToken;
  const name = `guest-${Math.random().toString(36).slice(2, 6)}`;
  return (
    await request<{ token: string }>(socket, 'session:invite', { sessionId, role: askedRole, name })
  ).token;
}

/** The seat this tab holds: its join token and resume secret (a resume needs both). */
interface Seat {
  token: string;
  resume: string;
}

function savedSeat(): Seat | null {
  try {
    const seat = JSON.parse(sessionStorage.getItem(seatKey) ?? 'null') as Seat | null;
    return typeof seat?.token === 'string' && typeof seat.resume === 'string' ? seat : null;
  } catch {
    return null;
  }
}

async function join() {
  setStatus('joining');
  const joinAfresh = async () => {
    const token = await joinToken();
    return { token, reply: await request<JoinReply>(socket, 'join', { token }) };
  };
  const saved = savedSeat();
  const { token, reply } = saved
    ? await request<JoinReply>(socket, 'join', saved).then(
        (reply) => ({ token: saved.token, reply }),
        () => (sessionStorage.removeItem(seatKey), joinAfresh()), // the window passed
      )
    : await joinAfresh();
  const resume = reply.member.resumeToken;
  sessionStorage.setItem(seatKey, JSON.stringify({ token, resume } satisfies Seat));
  // A recovered connection keeps the seat only with this proof.
  socket.auth = { resume };
  state.memberId = reply.member.id;
  role = reply.member.role === 'spectator' ? 'spectator' : 'player';
  document.body.classList.toggle('spectator', role === 'spectator');
  $('role').textContent = reply.member.role;
  const { fps, source } = reply.video;
  state.source = source;
  $('source').textContent = source;
  toTick = (rtp) => tickOfRtpTimestamp(rtp, fps, newestTick);
  routerCapabilities = reply.video.rtpCapabilities;
  await receiver.start(routerCapabilities, video);
  state.consumedAt = performance.now();
  state.firstFrameAt = 0;
  setStatus('live', 'live');
}

socket.on('connect', () => {
  // A recovered connection still holds its seat, room and media.
  if (socket.recovered) return setStatus('live', 'live');
  join().catch((error) => (setStatus('error', 'error'), notice(String(error.message ?? error))));
});
socket.on('disconnect', () => setStatus('disconnected', 'error'));
socket.on('wt:error', (error: { code: string; message: string }) =>
  notice(`${error.code}: ${error.message}`),
);
// The server's media worker was replaced: keep the seat, rebuild only the video path
// (every router is made with the same codecs, so the capabilities still hold).
socket.on('media:reset', () => {
  if (!routerCapabilities) return;
  setStatus('reconnecting media');
  receiver
    .start(routerCapabilities, video)
    .then(() => setStatus('live', 'live'))
    .catch((error) => notice(String(error.message ?? error)));
});
socket.on('tick', (metadata: TickMetadata) => {
  ticks.set(metadata.tick, metadata);
  newestTick = metadata.tick;
  ticks.delete(metadata.tick - 400);
});

function onFrame(now: number, metadata: VideoFrameCallbackMetadata) {
  const tick = metadata.rtpTimestamp === undefined ? -1 : toTick(metadata.rtpTimestamp);
  state.framesShown++;
  if (!state.firstFrameAt) state.firstFrameAt = now;
  state.lastShownTick = tick;
  state.shownTicks.push(tick);
  if (state.shownTicks.length > 1000) state.shownTicks.shift();
  $('tick').textContent = String(tick);
  $('frames').textContent = String(state.framesShown);
  const meta = ticks.get(tick);
  if (meta) {
    $('applied').textContent = [...meta.keys, ...meta.instructions].join(' ') || 'idle';
    if (meta.pilot === state.memberId && meta.appliedSeq !== null)
      recordLatency(meta.appliedSeq, now);
  }
  video.requestVideoFrameCallback(onFrame);
}
video.requestVideoFrameCallback(onFrame);

/** The first displayed frame that reflects an input closes that input's latency. */
function recordLatency(appliedSeq: number, shownAt: number) {
  for (const [s, at] of sentAt) {
    if (s > appliedSeq) continue;
    sentAt.delete(s);
    const ms = shownAt - at;
    state.latenciesMs.push(ms);
    if (state.latenciesMs.length > 1000) state.latenciesMs.shift();
    $('latency').textContent = `${Math.round(ms)} ms`;
  }
}

{
  watchKeyboard(window, (keys) => {
    if (role === 'spectator') return;
    seq++;
    sentAt.set(seq, performance.now());
    // Inputs that never drive a shown frame (someone else piloting) must not pile up.
    if (sentAt.size > 200) sentAt.delete(sentAt.keys().next().value!);
    socket.emit('action', { seq, keys });
  });
  $('instruct').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('instruction') as HTMLInputElement;
    request(socket, 'instruction', { text: input.value.trim() })
      .then(() => notice(`applied ${input.value.trim()}`))
      .catch((error) => notice(error.message));
  });
}
