import type { RunSummary, Submission } from '@fts/shared';
import { api } from '../api';
import { el, plural } from '../dom';
import { queued } from '../queue';
import { currentRater, setRater } from '../state';

/** Items of each run the rater has scored: confirmed by the server or waiting in the queue. */
function myProgress(rater: string, confirmed: Submission[]): Map<string, number> {
  const items = new Map<string, Set<string>>();
  const add = (run: string, item: string): void => {
    items.set(run, (items.get(run) ?? new Set()).add(item));
  };
  for (const s of confirmed) add(s.run_id, s.item_id);
  for (const q of queued())
    if (q.state === 'pending' && q.input.rater_id === rater) add(q.input.run_id, q.input.item_id);
  return new Map([...items].map(([run, set]) => [run, set.size]));
}

function runEntry(r: RunSummary, mine: number): HTMLElement {
  const finished = mine >= r.itemCount;
  return el(
    'li',
    {},
    el(
      'a',
      { href: `#/run/${encodeURIComponent(r.id)}`, class: 'run-link', 'data-run': r.id },
      el('span', { class: 'run-name' }, r.id),
      el('span', { class: 'muted' }, [r.model, r.prompt].filter(Boolean).join(' · ') || 'model not named'),
      el('span', { class: 'muted' }, plural(r.itemCount, 'item')),
      el(
        'span',
        { class: 'mine' },
        el('progress', { max: String(r.itemCount), value: String(mine), 'aria-hidden': 'true' }),
        finished ? 'all done' : `${mine} of ${r.itemCount} scored by you`,
      ),
    ),
  );
}

/** Rater ID form and the run list with the rater's own progress. */
export async function renderStart(root: HTMLElement): Promise<void> {
  const rater = currentRater();
  const error = el('p', { class: 'error', role: 'alert', id: 'rater-error' });
  const input = el('input', {
    id: 'rater-id',
    name: 'rater',
    autocomplete: 'username',
    spellcheck: 'false',
    required: true,
    value: rater ?? '',
    'aria-describedby': 'rater-error rater-hint',
  });
  const form = el(
    'form',
    { class: 'rater-form card' },
    el('label', { for: 'rater-id' }, 'Your rater ID'),
    el(
      'div',
      { class: 'row' },
      input,
      el('button', { type: 'submit', class: 'primary' }, rater ? 'Change' : 'Start'),
    ),
    el(
      'p',
      { class: 'muted', id: 'rater-hint' },
      rater
        ? `Scoring as ${rater}. Type another ID to switch.`
        : 'Letters, digits, ".", "_", "-" or "@". It is remembered on this browser.',
    ),
    error,
  );
  const list = el('section', { class: 'runs', 'aria-labelledby': 'runs-title' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const problem = setRater(input.value);
    error.textContent = problem ?? '';
    if (problem) input.setAttribute('aria-invalid', 'true');
    else document.dispatchEvent(new Event('rater-changed'));
  });
  root.replaceChildren(el('h1', {}, 'Score model outputs'), form, list);
  if (!rater) {
    input.focus();
    return;
  }
  list.append(el('p', { class: 'muted' }, 'Loading runs…'));
  let runs: RunSummary[];
  let mine: Map<string, number>;
  try {
    const [r, s] = await Promise.all([api.runs(), api.scores(rater)]);
    runs = r;
    mine = myProgress(rater, s);
  } catch (e) {
    list.replaceChildren(
      el('p', { class: 'error', role: 'alert' }, `Could not load runs: ${(e as Error).message}`),
    );
    return;
  }
  if (runs.length === 0) {
    list.replaceChildren(el('p', {}, 'No runs yet. Upload one with npx score-cli upload <dir>.'));
    return;
  }
  list.replaceChildren(
    el('h2', { id: 'runs-title' }, 'Pick a run'),
    el('ul', { class: 'run-list' }, ...runs.map((r) => runEntry(r, mine.get(r.id) ?? 0))),
  );
  list.querySelector<HTMLElement>('.run-link')?.focus();
}
