/** Links that open a session in a role, and a copy button for them. */
import { h } from './dom';

export function sessionLink(
  sessionId: string,
  how: { token?: string; spectator?: boolean; origin?: string } = {},
): string {
  // Another origin: the session was placed on another server of the fleet.
  const url = new URL(`/s/${sessionId}`, how.origin ?? location.origin);
  if (how.spectator) url.searchParams.set('role', 'spectator');
  if (how.token) url.hash = `token=${how.token}`;
  return url.href;
}

/** A labelled read-only link with a copy button. */
export function linkRow(label: string, href: string, testId: string): HTMLElement {
  const copy = h('button', { type: 'button', class: 'copy' }, 'copy');
  copy.addEventListener('click', () => {
    void navigator.clipboard?.writeText(href).then(
      () => (copy.textContent = 'copied'),
      () => (copy.textContent = 'select and copy'),
    );
  });
  return h(
    'div',
    { class: 'link-row', 'data-link': testId },
    h('span', {}, label),
    h('a', { href, target: '_blank', rel: 'noopener' }, href),
    copy,
  );
}
