import { button, el, plural } from '../dom';
import type { RunSession } from '../session';
import { currentRater } from '../state';
import { loadSession, progressLine } from './score';

/** The items the rater skipped, each with a way to bring it back into the run. */
function skippedList(session: RunSession, back: string): HTMLElement | null {
  const ids = session.skippedIds;
  if (ids.length === 0) return null;
  const heading = el('h2', {}, `Skipped (${plural(ids.length, 'item')})`);
  const list = el('ul', { class: 'skipped-list' });
  const box = el(
    'section',
    { class: 'skipped card', 'aria-label': 'Skipped items' },
    heading,
    el('p', { class: 'muted' }, 'Skipped items are left out until you un-skip them or revisit them.'),
    list,
  );
  for (const id of ids) {
    const row = el('li', {}, el('span', { class: 'item-id' }, id), ' ');
    row.append(
      button(
        'Un-skip',
        () => {
          session.unskip(id);
          row.replaceChildren(
            el('span', { class: 'item-id' }, id),
            ' is back in the run. ',
            el('a', { href: `${back}/item/${encodeURIComponent(id)}` }, 'Score it now'),
          );
        },
        { class: 'ctl', 'aria-label': `Un-skip ${id}` },
      ),
    );
    list.append(row);
  }
  return box;
}

/** The rater's own scores for a run, each a link to change it. */
export async function renderReview(root: HTMLElement, runId: string): Promise<void> {
  const rater = currentRater();
  if (!rater) {
    location.hash = '#/';
    return;
  }
  root.replaceChildren(el('p', { class: 'muted' }, 'Loading your scores…'));
  const back = `#/run/${encodeURIComponent(runId)}`;
  try {
    const session = await loadSession(runId, rater);
    const scored = session.scored();
    root.replaceChildren(
      el(
        'div',
        { class: 'run-head' },
        el('a', { href: back, class: 'back' }, '← Back to scoring'),
        el('h1', {}, `Your scores: ${runId}`),
        el('span', { class: 'muted' }, progressLine(scored.length, session.total, session.skippedCount)),
      ),
      skippedList(session, back) ?? '',
      scored.length === 0
        ? el('p', {}, 'You have not scored anything in this run yet.')
        : el(
            'table',
            { class: 'review card' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ...['Item', 'Answers', 'Comment', 'State', ''].map((h) => el('th', { scope: 'col' }, h)),
              ),
            ),
            el(
              'tbody',
              {},
              ...scored.map(({ item, score }) =>
                el(
                  'tr',
                  {},
                  el('td', {}, item.id),
                  el(
                    'td',
                    {},
                    Object.entries(score.answers)
                      .map(([k, v]) => `${k}: ${String(v)}`)
                      .join(', '),
                  ),
                  el('td', { class: 'comment-cell' }, score.comment),
                  el('td', { class: score.state }, score.state === 'saved' ? 'saved' : 'pending'),
                  el(
                    'td',
                    {},
                    el(
                      'a',
                      {
                        href: `#/run/${encodeURIComponent(runId)}/item/${encodeURIComponent(item.id)}`,
                        'aria-label': `Change score of ${item.id}`,
                      },
                      'Change',
                    ),
                  ),
                ),
              ),
            ),
          ),
    );
    root.querySelector<HTMLElement>('a')?.focus();
  } catch (e) {
    root.replaceChildren(
      el('p', { class: 'error', role: 'alert' }, `Could not load your scores: ${(e as Error).message}`),
      el('a', { href: back }, 'Back'),
    );
  }
}
