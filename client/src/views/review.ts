import { el } from '../dom';
import { currentRater } from '../state';
import { loadSession } from './score';

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
        el('span', { class: 'muted' }, `${scored.length} / ${session.total} scored`),
      ),
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
