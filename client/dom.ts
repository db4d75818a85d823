/** A few lines of DOM building instead of a UI library: the app is small and mostly text. */

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, unknown> & { class?: string };

/** An element with attributes (on* props become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function')
      element.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    else if (name in element && name !== 'class' && name !== 'list')
      (element as unknown as Record<string, unknown>)[name] = value;
    else
      element.setAttribute(name === 'class' ? 'class' : name, value === true ? '' : String(value));
  }
  element.append(...nodes(children));
  return element;
}

/** Replaces an element's children. */
export function fill(element: Element, ...children: Child[]): void {
  element.replaceChildren(...nodes(children));
}

function nodes(children: Child[]): (Node | string)[] {
  return children
    .filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (typeof c === 'number' ? String(c) : (c as Node | string)));
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** `turn_left` -> `turn left`: vocabulary words as people read them. */
export function label(word: string): string {
  return word.replace(/[_-]/g, ' ');
}

/** Seconds as m:ss, or h:mm:ss past an hour. */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(hh ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}
