type Child = Node | string | null | undefined | false;

/** Build an element; text goes in via textContent only, never as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') node.className = String(v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

/** A `<button type=button>` that runs `onClick`. */
export function button(
  label: Child | Child[],
  onClick: () => void,
  attrs: Record<string, string | boolean | undefined> = {},
): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, ...(Array.isArray(label) ? label : [label]));
  b.addEventListener('click', onClick);
  return b;
}

/** "1 rater", "2 raters": a count with its noun in the right number. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A keyboard key, shown as `<kbd>`. */
export function kbd(key: string): HTMLElement {
  return el('kbd', {}, key);
}

/** `m:ss` (or `m:ss.s` with `tenths`) from seconds. */
export function clock(seconds: number, tenths = false): string {
  const t = Math.max(0, Number.isFinite(seconds) ? seconds : 0);
  const s = Math.floor(t);
  const base = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return tenths ? `${base}.${Math.floor((t - s) * 10)}` : base;
}

/** Whether keys typed now belong to a text field rather than to the app's shortcuts. */
export function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLTextAreaElement || target.isContentEditable) return true;
  return (
    target instanceof HTMLInputElement && !['radio', 'checkbox', 'range', 'button'].includes(target.type)
  );
}

let activeView: AbortController | undefined;

/**
 * Start a new page: the previous page's signal aborts, so its shortcuts stop and its videos
 * pause. Every route calls this once; a view ties its listeners to the returned signal.
 */
export function startView(): AbortSignal {
  activeView?.abort();
  activeView = new AbortController();
  return activeView.signal;
}
