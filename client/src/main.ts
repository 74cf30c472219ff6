import './style.css';
import { onAccessCodeRequired } from './api';
import { button, el, plural, startView } from './dom';
import { discard, flush, startQueue, status, subscribe, type QueueStatus } from './queue';
import { currentRater } from './state';
import { renderCompare } from './views/compare';
import { toggleHelp } from './views/help';
import { renderReview } from './views/review';
import { renderScore } from './views/score';
import { renderStart } from './views/start';

const root = document.getElementById('app') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;
const sync = document.getElementById('sync') as HTMLElement;

/** A percent-encoded part of the URL, or undefined when it does not decode (`%E0%A4%A`). */
function decoded(part: string | undefined): string | undefined {
  if (!part) return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

async function route(): Promise<void> {
  const rater = currentRater();
  who.replaceChildren(rater ? el('a', { href: '#/', title: 'Change rater ID' }, `Rater: ${rater}`) : '');
  const m = /^#\/run\/([^/]+)(?:\/(review|item\/(.+)))?$/.exec(location.hash);
  // A part that does not decode names no run or item: the same as an unknown one.
  const runId = decoded(m?.[1]);
  const results = /^#\/results\/?(.*)$/.exec(location.hash);
  const compare = /^#\/compare\/([^/]+)\/([^/]+)$/.exec(location.hash);
  const [ca, cb] = [decoded(compare?.[1]), decoded(compare?.[2])];
  const signal = startView();
  if (ca && cb && rater) {
    await renderCompare(root, ca, cb, signal);
  } else if (results) {
    await (await import('./views/results')).renderResults(root, results[1] ?? '');
  } else if (!runId || !rater) {
    await renderStart(root);
  } else if (m?.[2] === 'review') {
    await renderReview(root, runId);
  } else {
    await renderScore(root, runId, decoded(m?.[3]), signal);
  }
  // A new page for keyboard and screen-reader users starts at its content, not the header;
  // a view that placed focus itself (the rater ID field, a run link) keeps it.
  if (document.activeElement === document.body || document.activeElement === null) {
    root.focus({ preventScroll: true });
  }
}

/** The header's saved/pending indicator, and any submission the server refused. */
function showSync(s: QueueStatus): void {
  const parts: (HTMLElement | string)[] = [];
  if (s.pending === 0) {
    sync.dataset.state = 'saved';
    parts.push('✓ All scores saved');
  } else {
    sync.dataset.state = 'pending';
    const what = plural(s.pending, 'score');
    parts.push(
      s.retrying ? `⟳ ${what} waiting: ${navigator.onLine ? 'retrying' : 'offline'}` : `⟳ Saving ${what}…`,
    );
    if (s.retrying)
      parts.push(
        ' ',
        button('Retry now', () => void flush(), { class: 'link' }),
      );
  }
  for (const r of s.rejected) {
    sync.dataset.state = 'rejected';
    parts.push(
      el('span', { class: 'rejected' }, ` Not accepted (${r.input.item_id}): ${r.error ?? ''} `),
      button('Dismiss', () => discard(r.input.submission_id), { class: 'link' }),
    );
  }
  sync.replaceChildren(...parts);
}

/** Ask for the access code in a small modal; resolves with the code, rejects on cancel. */
function askAccessCode(wrong: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = el('input', { id: 'access-code', type: 'password', required: true, autocomplete: 'off' });
    const form = el(
      'form',
      { method: 'dialog' },
      el('h2', {}, 'Access code'),
      el('p', {}, wrong ? 'That code was not accepted. Try again.' : 'This server needs an access code.'),
      el('label', { for: 'access-code' }, 'Code'),
      ' ',
      input,
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, 'Continue')),
    );
    const dialog = el('dialog', { class: 'code-dialog', 'aria-label': 'Access code' }, form);
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (input.value.trim()) resolve(input.value.trim());
      else reject(new Error('an access code is required'));
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}

document.getElementById('help')?.addEventListener('click', () => toggleHelp());
document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement | null;
  const typing =
    t?.tagName === 'TEXTAREA' || (t?.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'radio');
  if (e.key === '?' && !typing) {
    e.preventDefault();
    toggleHelp();
  }
});
document.addEventListener('rater-changed', () => void route());
// Scores not yet sent are kept in this browser either way; the warning says so before a
// rater leaves for good with the network down.
window.addEventListener('beforeunload', (e) => {
  if (status().pending > 0) e.preventDefault();
});
onAccessCodeRequired(askAccessCode);
subscribe(showSync);
startQueue();
window.addEventListener('hashchange', () => void route());
void route();
