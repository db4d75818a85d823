/** The browser app: the lobby at /, a session at /s/<id>. */
import { SESSION_ID } from '../server/protocol/session-id';
import { byId } from './dom';
import { lobbyPage } from './lobby/lobby-page';
import { sessionPage } from './session/session-page';

const match = /^\/s\/([^/]+)\/?$/.exec(location.pathname);
const root = byId('app');
if (match && SESSION_ID.test(match[1])) {
  document.body.classList.add('in-session');
  sessionPage(root, match[1]);
} else {
  document.body.classList.add('in-lobby');
  byId('title').textContent = 'lobby';
  lobbyPage(root);
}
