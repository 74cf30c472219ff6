import type { Item, Segment } from '@fts/shared';
import { clock, el } from '../dom';

/** Index of the step being played at `t`: the last one started, unless it has ended. */
export function activeStep(segments: Segment[], t: number): number {
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i] as Segment;
    if (t >= s.start) return s.end === undefined || t < s.end || i === segments.length - 1 ? i : -1;
  }
  return -1;
}

/** The recognised steps: each seeks the video; the one being played is highlighted. */
export function stepsList(segments: Segment[], video: HTMLVideoElement): HTMLElement {
  const buttons = segments.map((s, i) => {
    const b = el(
      'button',
      { type: 'button', class: 'step', 'aria-label': `Play from ${clock(s.start)}: ${s.label}` },
      el('span', { class: 'step-time' }, `${clock(s.start)}${s.end !== undefined ? `–${clock(s.end)}` : ''}`),
      el('span', { class: 'step-label' }, s.label || '(no label)'),
    );
    b.addEventListener('click', () => {
      video.currentTime = segments[i]?.start ?? 0;
      if (video.paused) void video.play().catch(() => undefined);
    });
    return b;
  });
  let current = -1;
  const highlight = (): void => {
    const i = activeStep(segments, video.currentTime);
    if (i === current) return;
    buttons[current]?.classList.remove('active');
    buttons[current]?.removeAttribute('aria-current');
    buttons[i]?.classList.add('active');
    buttons[i]?.setAttribute('aria-current', 'step');
    current = i;
  };
  for (const ev of ['timeupdate', 'seeked', 'loadedmetadata']) video.addEventListener(ev, highlight);
  highlight();
  return el('ol', { class: 'steps', 'aria-label': 'Steps' }, ...buttons.map((b) => el('li', {}, b)));
}

function leaf(value: unknown): HTMLElement {
  if (value === null) return el('span', { class: 'v-null' }, 'null');
  if (typeof value === 'string') return el('span', { class: 'v-str' }, value);
  return el('span', { class: `v-${typeof value}` }, String(value));
}

/**
 * JSON as a tree of `<details>`: every key and value is text, never markup. The first two
 * levels start open (the output's fields, and each entry of a list such as the recognised
 * steps); deeper ones start folded.
 */
export function tree(value: unknown, depth = 0): HTMLElement {
  if (typeof value !== 'object' || value === null) return leaf(value);
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return el('span', { class: 'v-null' }, Array.isArray(value) ? '[]' : '{}');
  const list = el(
    'ul',
    { class: 'tree' },
    ...entries.map(([k, v]) => {
      const nested = typeof v === 'object' && v !== null && Object.keys(v).length > 0;
      if (!nested) return el('li', {}, el('span', { class: 'k' }, `${k}: `), tree(v, depth + 1));
      const size = Array.isArray(v) ? `[${v.length}]` : `{${Object.keys(v as object).length}}`;
      const folded = depth >= 2;
      return el(
        'li',
        {},
        el(
          'details',
          { open: !folded },
          el('summary', {}, el('span', { class: 'k' }, k), ' ', el('span', { class: 'size' }, size)),
          tree(v, depth + 1),
        ),
      );
    }),
  );
  return list;
}

/** The model's side of an item: error, the output as a tree, and the raw record. */
export function outputView(item: Item, options: { blind?: boolean } = {}): HTMLElement {
  const box = el('section', { class: 'output', 'aria-label': 'Model output' });
  if (item.error) {
    box.append(
      el(
        'div',
        { class: 'inference-error', role: 'note' },
        el('strong', {}, 'Inference error'),
        el('p', {}, item.error),
      ),
    );
  }
  box.append(el('h3', {}, 'Model output'));
  if (item.output === null || item.output === undefined) {
    box.append(el('p', { class: 'muted' }, 'The model produced no output for this item.'));
  } else if (typeof item.output === 'string') {
    box.append(el('p', { class: 'answer-text' }, item.output));
  } else {
    box.append(tree(item.output));
  }
  // The whole record names the model and prompt: left out when the rater must not know the run.
  if (!options.blind) {
    box.append(el('details', { class: 'record' }, el('summary', {}, 'Full record'), tree(item.record)));
  }
  return box;
}
