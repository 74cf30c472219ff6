import type { RunSummary } from '@fts/shared';
import { api } from '../api';
import { el } from '../dom';
import { currentRater, setRater } from '../state';

/** Rater ID form and run list. */
export async function renderStart(root: HTMLElement, go: (hash: string) => void): Promise<void> {
  const rater = currentRater();
  const error = el('p', { class: 'error', role: 'alert', id: 'rater-error' });
  const input = el('input', {
    id: 'rater-id',
    name: 'rater',
    autocomplete: 'username',
    required: true,
    value: rater ?? '',
    'aria-describedby': 'rater-error',
  });
  const form = el(
    'form',
    { class: 'rater-form' },
    el('label', { for: 'rater-id' }, 'Your rater ID'),
    input,
    el('button', { type: 'submit' }, rater ? 'Change' : 'Start'),
    error,
  );
  const list = el('section', { class: 'runs', 'aria-label': 'Runs' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const problem = setRater(input.value);
    error.textContent = problem ?? '';
    if (!problem) void renderStart(root, go);
  });
  root.replaceChildren(el('h1', {}, 'Score model outputs'), form, list);
  if (!rater) {
    input.focus();
    return;
  }
  list.append(el('p', {}, 'Loading runs…'));
  let runs: RunSummary[];
  try {
    runs = await api.runs();
  } catch (e) {
    list.replaceChildren(el('p', { class: 'error' }, `Could not load runs: ${(e as Error).message}`));
    return;
  }
  if (runs.length === 0) {
    list.replaceChildren(el('p', {}, 'No runs yet. Upload one with npx score-cli upload <dir>.'));
    return;
  }
  list.replaceChildren(
    el('h2', {}, 'Pick a run'),
    el(
      'ul',
      { class: 'run-list' },
      ...runs.map((r) =>
        el(
          'li',
          {},
          el(
            'a',
            { href: `#/run/${encodeURIComponent(r.id)}`, class: 'run-link', 'data-run': r.id },
            el('strong', {}, r.id),
            el('span', { class: 'meta' }, [r.model, r.prompt].filter(Boolean).join(' · ') || 'model unknown'),
            el('span', { class: 'meta' }, `${r.itemCount} items · ${r.ratingCount} ratings`),
          ),
        ),
      ),
    ),
  );
}
