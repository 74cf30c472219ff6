import type { Item, RunDetail, SubmissionInput } from '@fts/shared';
import { cleanComment } from '@fts/shared/rules';
import { api } from '../api';
import { el } from '../dom';
import { enqueue, flush, queued } from '../queue';
import { currentRater } from '../state';
import { newVideo, onItemKey, release, renderItem, type ItemView } from './item';

declare const __APP_VERSION__: string;

/**
 * Comparison mode: the two runs' outputs for one video, one after the other, as "Output 1"
 * and "Output 2". The server picks the video and the order (counterbalanced per rater and
 * pair), so the labels do not stand for the same run from one video to the next; nothing
 * on the page names a run. Each score goes through the usual queue to its own run and item.
 */
export async function renderCompare(
  root: HTMLElement,
  a: string,
  b: string,
  signal: AbortSignal,
): Promise<void> {
  const rater = currentRater();
  if (!rater) {
    location.hash = '#/';
    return;
  }
  root.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  let runs: Map<string, RunDetail>;
  try {
    runs = new Map((await Promise.all([api.run(a), api.run(b)])).map((r) => [r.id, r]));
  } catch (e) {
    root.replaceChildren(
      el('p', { class: 'error', role: 'alert' }, `Could not load the comparison: ${(e as Error).message}`),
      el('a', { href: '#/' }, 'Back to runs'),
    );
    return;
  }
  if (signal.aborted) return;

  const progressText = el('span', { class: 'progress-text' });
  const label = el('h2', { class: 'output-label' });
  const stage = el('div', { class: 'stage' });
  root.replaceChildren(
    el(
      'div',
      { class: 'run-head' },
      el('a', { href: '#/', class: 'back' }, '← Runs'),
      el('div', { class: 'run-title' }, el('h1', {}, 'Blind comparison')),
      el('div', { class: 'progress-box' }, progressText),
    ),
    label,
    stage,
  );

  let current: (ItemView & { item: Item; started: number }) | undefined;
  /** The outputs still to show for this video, and how many were shown before them. */
  let pending: Item[] = [];
  let shown = 0;
  /** Outputs the rater set aside in this visit (e.g. a video that cannot play). */
  const skipped = new Set<string>();
  const sent = (i: Item): boolean =>
    queued().some(
      (q) =>
        q.state === 'pending' &&
        q.input.rater_id === rater &&
        q.input.run_id === i.runId &&
        q.input.item_id === i.id,
    );

  function show(item: Item): void {
    if (current) release(current.player.video);
    shown += 1;
    label.textContent = `Output ${shown}`;
    const rubric = (runs.get(item.runId) as RunDetail).rubric;
    const view = renderItem(
      stage,
      item,
      rubric,
      undefined,
      newVideo(item),
      { submit, skip },
      { blind: true },
    );
    current = { item, ...view, started: performance.now() };
    view.player.play();
    root.focus({ preventScroll: true });
  }

  async function nextPair(): Promise<void> {
    if (current) release(current.player.video);
    current = undefined;
    stage.replaceChildren(el('p', { class: 'muted' }, 'Loading the next video…'));
    label.textContent = '';
    // The server chooses from the scores it holds: send the queued ones first.
    await flush().catch(() => undefined);
    let pair: Awaited<ReturnType<typeof api.compareNext>>;
    try {
      pair = await api.compareNext(a, b, rater as string);
    } catch (e) {
      stage.replaceChildren(el('p', { class: 'error', role: 'alert' }, (e as Error).message));
      return;
    }
    if (signal.aborted) return;
    const { done, total } = pair.progress;
    pending = pair.items.filter((i) => !skipped.has(`${i.runId}/${i.id}`) && !sent(i));
    // A pair the rater started earlier opens on its second output.
    shown = 2 - pair.items.length;
    if (pair.videoUri === null || pending.length === 0) {
      progressText.textContent = `${done} of ${total} videos`;
      const heading = el('h2', { tabindex: '-1' }, pair.videoUri === null ? 'All done' : 'Nothing left');
      stage.replaceChildren(
        el(
          'section',
          { class: 'done card', role: 'status' },
          heading,
          el('p', {}, `You have rated ${done} of ${total} videos in both outputs.`),
          el('p', {}, el('a', { href: '#/' }, 'Back to runs')),
        ),
      );
      heading.focus();
      return;
    }
    progressText.textContent = `${done + 1} of ${total} videos`;
    show(pending.shift() as Item);
  }

  function advance(): void {
    const item = pending.shift();
    if (item) show(item);
    else void nextPair();
  }

  function submit(): void {
    if (!current || !current.usable()) return;
    const { item, rubric, started, status } = current;
    const missing = rubric.missing();
    if (missing.length) {
      status.textContent = `Please answer: ${missing.map((c) => c.label).join('; ')}`;
      status.classList.add('error');
      return;
    }
    const input: SubmissionInput = {
      submission_id: crypto.randomUUID(),
      rater_id: rater as string,
      run_id: item.runId,
      item_id: item.id,
      answers: rubric.answers(),
      comment: cleanComment(rubric.comment.value),
      time_spent_ms: Math.min(Math.round(performance.now() - started), 24 * 3600 * 1000),
      app_version: __APP_VERSION__,
    };
    enqueue(input);
    advance();
  }

  function skip(): void {
    if (!current) return;
    skipped.add(`${current.item.runId}/${current.item.id}`);
    advance();
  }

  document.addEventListener(
    'keydown',
    (e) => {
      if (e.defaultPrevented || document.querySelector('dialog[open]') || !current) return;
      onItemKey(e, current, root, { s: skip });
    },
    { signal: signal },
  );
  signal.addEventListener('abort', () => {
    if (current) release(current.player.video);
  });
  await nextPair();
}
