/**
 * The lobby (/): the live sessions, joinable as player or spectator, and a form that
 * creates one (title, seed, control mode, instruction rule and a start: a world seed,
 * instructions alone, or a video prompt) and then shows its links.
 */
import { CONTROL_MODES, INSTRUCTION_RULES } from '../../server/protocol/roles';
import type { Reply, ServerInfo, SessionListing } from '../../server/protocol/server-events';
import { connect, createKey, request, saveCreateKey } from '../connection';
import { byId, clock, fill, h, label } from '../dom';
import { displayName, setDisplayName } from '../identity';
import { linkRow, sessionLink } from '../share';
import { promptFromFile } from './video-prompt';

const REFRESH_MS = 3000;

export function lobbyPage(root: HTMLElement): void {
  // A key in the link (printed by `npm start`) is kept for later visits, then hidden.
  const linkKey = new URLSearchParams(location.hash.slice(1)).get('key');
  if (linkKey) {
    saveCreateKey(linkKey);
    history.replaceState(null, '', location.pathname);
  }
  const socket = connect();
  const state = { server: null as ServerInfo | null, formBuilt: false };
  fill(
    root,
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Live sessions'),
      h('table', { id: 'sessions' }),
      h('p', { id: 'lobby-status', class: 'hint' }, 'loading…'),
    ),
    h('section', { class: 'panel', id: 'create' }, h('h2', {}, 'New session')),
  );

  const refresh = async () => {
    try {
      const reply = await request(socket, 'session:list');
      state.server = reply.server;
      renderList(reply.sessions);
      byId('lobby-status').textContent = `frames by ${reply.server.source}`;
      if (!state.formBuilt) {
        state.formBuilt = true;
        buildForm(byId('create'), reply.server, socket);
      }
    } catch (error) {
      byId('lobby-status').textContent = String((error as Error).message);
    }
  };
  socket.on('connect', () => void refresh());
  setInterval(() => socket.connected && void refresh(), REFRESH_MS);
}

function renderList(sessions: SessionListing[]): void {
  const rows = sessions.map((s) =>
    h(
      'tr',
      { 'data-session': s.id },
      h('td', {}, h('strong', {}, s.title), s.title !== s.id ? h('small', {}, ` ${s.id}`) : null),
      h('td', {}, label(s.mode)),
      h('td', {}, `${s.players} playing`),
      h('td', {}, `${s.spectators} watching`),
      h('td', {}, clock(s.uptimeMs), s.paused ? h('small', {}, ' paused') : null),
      h(
        'td',
        {},
        h('a', { class: 'button', href: sessionLink(s.id, { origin: s.url }) }, 'Play'),
        ' ',
        h(
          'a',
          { class: 'button', href: sessionLink(s.id, { spectator: true, origin: s.url }) },
          'Watch',
        ),
      ),
    ),
  );
  const head = h(
    'tr',
    {},
    ...['session', 'control', 'players', 'spectators', 'uptime', ''].map((t) => h('th', {}, t)),
  );
  fill(byId('sessions'), head, ...rows);
  if (sessions.length === 0)
    fill(byId('sessions'), h('tr', {}, h('td', {}, 'No live sessions yet: create one.')));
}

function buildForm(
  section: HTMLElement,
  server: ServerInfo,
  socket: ReturnType<typeof connect>,
): void {
  const select = (name: string, options: readonly string[], value?: string) =>
    h(
      'select',
      { name },
      ...options.map((o) => h('option', { value: o, selected: o === value }, label(o))),
    );
  const startChoices = [
    ['seed', 'a world seed'],
    ...(server.startsFrom.text ? [['text', 'instructions alone']] : []),
    ...(server.startsFrom.prompt ? [['prompt', 'a video prompt']] : []),
  ];
  const instructionPickers = server.vocabulary.slots.map((slot) =>
    h('label', {}, label(slot.name), select(`slot:${slot.name}`, ['', ...slot.values])),
  );
  const preview = h('div', { class: 'prompt-preview' });
  const form = h(
    'form',
    { id: 'create-form' },
    h('label', {}, 'title', h('input', { name: 'title', maxLength: 40, placeholder: 'my world' })),
    h('label', {}, 'your name', h('input', { name: 'name', maxLength: 40, value: displayName() })),
    h(
      'label',
      {},
      'seed',
      h('input', { name: 'seed', type: 'number', min: 0, placeholder: 'random' }),
    ),
    h('label', {}, 'control', select('mode', CONTROL_MODES, 'anarchy')),
    h('label', {}, 'instructions pass by', select('rule', INSTRUCTION_RULES, 'vote')),
    h(
      'fieldset',
      {},
      h('legend', {}, 'start from'),
      ...startChoices.map(([value, text]) =>
        h(
          'label',
          { class: 'inline' },
          h('input', { type: 'radio', name: 'start', value, checked: value === 'seed' }),
          text,
        ),
      ),
      h('div', { class: 'start-text', hidden: true }, ...instructionPickers),
      h(
        'div',
        { class: 'start-prompt', hidden: true },
        h('input', { type: 'file', name: 'prompt', accept: 'image/*,video/*' }),
        preview,
      ),
    ),
    createKey()
      ? null
      : h(
          'label',
          {},
          'operator key',
          h('input', { name: 'key', placeholder: 'printed by npm start' }),
        ),
    h('button', { type: 'submit' }, 'Create'),
    h('p', { id: 'create-status', role: 'status' }),
    h('div', { id: 'created' }),
  );
  section.append(form);

  let promptFrames: string[] | null = null;
  form.addEventListener('change', async (event) => {
    const start = (form.elements.namedItem('start') as RadioNodeList).value;
    form.querySelector<HTMLElement>('.start-text')!.hidden = start !== 'text';
    form.querySelector<HTMLElement>('.start-prompt')!.hidden = start !== 'prompt';
    const input = event.target as HTMLInputElement;
    if (input.name === 'prompt' && input.files?.[0]) {
      try {
        const prompt = await promptFromFile(
          input.files[0],
          server.frame,
          server.maxPromptFrames,
          server.fps,
        );
        promptFrames = prompt.frames;
        fill(
          preview,
          prompt.preview,
          `${prompt.frames.length} frame(s) at ${server.frame.width}×${server.frame.height}`,
        );
      } catch (error) {
        promptFrames = null;
        fill(preview, String((error as Error).message));
      }
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = (name: string) =>
      (form.elements.namedItem(name) as HTMLInputElement | null)?.value.trim() ?? '';
    const status = byId('create-status');
    const key = value('key');
    if (key) {
      saveCreateKey(key);
      socket.auth = { key };
      socket.disconnect().connect();
    }
    setDisplayName(value('name'));
    const start = (form.elements.namedItem('start') as RadioNodeList).value;
    const text = server.vocabulary.slots
      .map((slot) => [slot.name, value(`slot:${slot.name}`)])
      .filter(([, v]) => v)
      .map(([s, v]) => `${s}=${v}`)
      .join(' ');
    if (start === 'text' && !text)
      return void (status.textContent = 'pick at least one instruction');
    if (start === 'prompt' && !promptFrames)
      return void (status.textContent = 'pick an image or a clip');
    status.textContent = 'creating…';
    try {
      const reply = await request(socket, 'session:create', {
        ...(value('title') ? { title: value('title') } : {}),
        name: displayName(),
        ...(value('seed') ? { seed: Number(value('seed')) } : {}),
        mode: value('mode'),
        instructionRule: value('rule'),
        ...(start === 'text' ? { text } : {}),
        ...(start === 'prompt' ? { prompt: promptFrames } : {}),
      });
      status.textContent = `created "${reply.session.id}" (seed ${reply.session.seed})`;
      showCreated(reply, server);
    } catch (error) {
      status.textContent = String((error as Error).message);
    }
  });
}

function showCreated(reply: Reply<'session:create'>, server: ServerInfo): void {
  const id = reply.session.id;
  const origin = reply.placedAt;
  const host = sessionLink(id, { token: reply.token, origin });
  fill(
    byId('created'),
    h('a', { class: 'button primary', href: host, id: 'open-host' }, 'Open as host'),
    origin
      ? h('p', { class: 'hint' }, `This server was full: the session runs on ${origin}.`)
      : null,
    linkRow('host link (one use: keep it to yourself)', host, 'host'),
    server.openInvites ? linkRow('player link', sessionLink(id, { origin }), 'player') : null,
    server.openInvites
      ? linkRow('spectator link', sessionLink(id, { spectator: true, origin }), 'spectator')
      : null,
    server.openInvites
      ? null
      : h('p', { class: 'hint' }, 'Invite players and spectators from the host page.'),
  );
}
