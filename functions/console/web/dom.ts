// Tiny DOM helpers: elements are built with textContent (never innerHTML), so nothing the API
// returns can become markup.
type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes?: Attributes, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attributes?: Attributes, ...children: Child[]): HTMLElement;
export function h(tag: string, attributes: Attributes = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

export function time(iso: string | undefined): HTMLElement {
  if (!iso) return h('span', {}, '—');
  const date = new Date(iso);
  return h('time', { datetime: iso, title: iso }, Number.isNaN(date.getTime()) ? iso : date.toLocaleString());
}

export function json(value: unknown): HTMLElement {
  if (value === undefined || value === null) return h('span', { class: 'muted' }, '—');
  // Focusable: it may scroll, and a scrolling region must be reachable by keyboard.
  return h('pre', { class: 'json', tabindex: 0 }, JSON.stringify(value, null, 2));
}

const STATUS_COLORS: Record<string, string> = {
  Active: 'success',
  Removed: 'subtle',
  Rejected: 'danger',
  Expired: 'warning',
  Failed: 'danger',
  RolledBack: 'warning',
  Offboarding: 'warning',
  InSync: 'success',
  Repaired: 'informative',
  Drifted: 'danger',
};

/** A Fluent badge for a status (its text is the status). */
export function badge(text: string | null | undefined): HTMLElement {
  if (!text) return h('span', { class: 'muted' }, '—');
  return h('fluent-badge', { appearance: 'tint', color: STATUS_COLORS[text] ?? 'brand', 'data-status': text }, text);
}

export function messageBar(intent: 'error' | 'warning' | 'success' | 'info', ...children: Child[]): HTMLElement {
  return h('fluent-message-bar', { intent, role: intent === 'error' ? 'alert' : 'status', layout: 'multiline' }, h('div', {}, ...children));
}

export function button(label: string, attributes: Attributes = {}): HTMLElement {
  return h('fluent-button', { appearance: 'secondary', ...attributes }, label);
}

/**
 * Re-renders `box` with `render` and keeps what its live regions (outcomes of an action) showed:
 * an action's answer often changes what the section shows, and the admin must still read it.
 */
export function rerenderKeepingOutcomes(box: HTMLElement, render: () => void): void {
  const shown = Array.from(box.querySelectorAll<HTMLElement>('[aria-live][id]'), (region) => ({ id: region.id, nodes: Array.from(region.childNodes) }));
  clear(box);
  render();
  for (const { id, nodes } of shown) {
    const region = document.getElementById(id);
    if (region && box.contains(region) && !region.firstChild) append(region, ...nodes);
  }
}
