import type { Item, SubmissionInput } from '@fts/shared';
import { cleanComment } from '@fts/shared/rules';
import { api } from '../api';
import { button, el, kbd, typingIn } from '../dom';
import { enqueue, subscribe } from '../queue';
import { RunSession, skippedItems } from '../session';
import { currentRater } from '../state';
import { newVideo, onItemKey, release, renderDone, renderItem, type ItemView } from './item';

declare const __APP_VERSION__: string;

/** Load everything a rater's pass through a run needs, in parallel. */
export async function loadSession(runId: string, rater: string): Promise<RunSession> {
  const [run, items, mine] = await Promise.all([api.run(runId), api.items(runId), api.scores(rater, runId)]);
  return new RunSession(run, items, rater, mine);
}

const itemHash = (runId: string, itemId: string): string =>
  `#/run/${encodeURIComponent(runId)}/item/${encodeURIComponent(itemId)}`;

/**
 * The scoring view. Submitting queues the score and shows the next item at once, with its
 * video already loaded: the next item is chosen and preloaded while the rater works.
 */
export async function renderScore(
  root: HTMLElement,
  runId: string,
  wanted: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  const rater = currentRater();
  if (!rater) {
    location.hash = '#/';
    return;
  }
  root.replaceChildren(el('p', { class: 'muted' }, 'Loading run…'));
  let session: RunSession;
  let suggested: string | undefined;
  try {
    const [s, next] = await Promise.all([
      loadSession(runId, rater),
      api.next(runId, rater, skippedItems(rater, runId)).catch(() => undefined),
    ]);
    session = s;
    suggested = next?.item?.id;
  } catch (e) {
    root.replaceChildren(
      el('p', { class: 'error', role: 'alert' }, `Could not load run ${runId}: ${(e as Error).message}`),
      el('a', { href: '#/' }, 'Back to runs'),
    );
    return;
  }
  if (signal.aborted) return;

  const progress = el('progress', { max: String(session.total), value: '0', 'aria-label': 'Your progress' });
  const progressText = el('span', { class: 'progress-text' });
  const prevBtn = button(['Previous ', kbd('p')], () => previous(), { class: 'ctl' });
  const head = el(
    'div',
    { class: 'run-head' },
    el('a', { href: '#/', class: 'back' }, '← Runs'),
    el(
      'div',
      { class: 'run-title' },
      el('h1', {}, session.run.id),
      el('span', { class: 'muted' }, [session.run.model, session.run.prompt].filter(Boolean).join(' · ')),
    ),
    el('div', { class: 'progress-box' }, progress, progressText),
    prevBtn,
    el('a', { href: `#/run/${encodeURIComponent(runId)}/review`, class: 'ctl' }, 'Review ', kbd('r')),
  );
  const stage = el('div', { class: 'stage' });
  const preloads = el('div', { hidden: true, 'aria-hidden': 'true' });
  root.replaceChildren(head, stage, preloads);

  let current: (ItemView & { item: Item; started: number }) | undefined;
  let preloaded: { item: Item; video: HTMLVideoElement } | undefined;
  const visited: string[] = [];
  let returnTo: string | undefined;

  const showProgress = (): void => {
    progress.value = session.done;
    progressText.textContent = progressLine(session.done, session.total, session.skippedCount);
    prevBtn.disabled = visited.length === 0;
  };

  const preload = (item: Item | undefined): void => {
    if (!item || preloaded?.item.id === item.id) return;
    if (preloaded) release(preloaded.video);
    preloaded = { item, video: newVideo(item) };
    preloads.append(preloaded.video);
  };

  const takeVideo = (item: Item): HTMLVideoElement => {
    if (preloaded?.item.id === item.id) {
      const { video } = preloaded;
      preloaded = undefined;
      return video;
    }
    return newVideo(item);
  };

  /** The item to offer after `fromId`: the server's suggestion if still open, else run order. */
  const upcoming = (fromId: string | undefined): Item | undefined => {
    if (returnTo && session.isOpen(returnTo) && returnTo !== fromId) return session.byId.get(returnTo);
    if (preloaded && session.isOpen(preloaded.item.id) && preloaded.item.id !== fromId) return preloaded.item;
    if (suggested && session.isOpen(suggested) && suggested !== fromId) return session.byId.get(suggested);
    return session.upcoming(fromId, [fromId]);
  };

  function show(item: Item): void {
    if (current) release(current.player.video);
    const view = renderItem(stage, item, session.run.rubric, session.latest(item.id), takeVideo(item), {
      submit: () => submit(),
      skip: () => skip(),
    });
    if (current && current.item.id !== item.id) visited.push(current.item.id);
    current = { item, ...view, started: performance.now() };
    session.position = item.id;
    history.replaceState(null, '', itemHash(runId, item.id));
    showProgress();
    view.player.play();
    root.focus({ preventScroll: true });

    // Load the next video now, then ask the server which item it would hand out next
    // (it does not know about scores still in the local queue: those stay excluded).
    preload(upcoming(item.id));
    void api
      .next(runId, rater as string, session.skippedIds)
      .then((n) => {
        suggested = n.item?.id;
        if (current?.item === item && suggested && session.isOpen(suggested) && suggested !== item.id) {
          preload(session.byId.get(suggested));
        }
      })
      .catch(() => undefined);
  }

  function showDone(): void {
    if (current) release(current.player.video);
    current = undefined;
    session.position = undefined;
    history.replaceState(null, '', `#/run/${encodeURIComponent(runId)}`);
    renderDone(
      stage,
      runId,
      { done: session.done, total: session.total, skipped: session.skippedCount },
      () => {
        session.revisiting = true;
        next(undefined);
      },
    );
    showProgress();
  }

  function next(fromId: string | undefined): void {
    const item = upcoming(fromId);
    if (item?.id === returnTo) returnTo = undefined;
    if (item) show(item);
    else showDone();
  }

  function submit(): void {
    if (!current || !current.usable()) return;
    const { item, rubric, started, status } = current;
    const missing = rubric.missing();
    if (missing.length) {
      status.textContent = `Please answer: ${missing.map((c) => c.label).join('; ')}`;
      status.classList.add('error');
      rubric.form
        .querySelector<HTMLInputElement>(`input[name="${CSS.escape(missing[0]?.id ?? '')}"]`)
        ?.focus();
      return;
    }
    const input: SubmissionInput = {
      submission_id: crypto.randomUUID(),
      rater_id: rater as string,
      run_id: runId,
      item_id: item.id,
      answers: rubric.answers(),
      comment: cleanComment(rubric.comment.value),
      time_spent_ms: Math.min(Math.round(performance.now() - started), 24 * 3600 * 1000),
      app_version: __APP_VERSION__,
    };
    enqueue(input);
    session.record(input);
    next(item.id);
  }

  function skip(): void {
    if (!current) return;
    const { item } = current;
    if (!session.latest(item.id)) session.skip(item.id);
    next(item.id);
  }

  function previous(): void {
    const id = visited.pop();
    const item = id ? session.byId.get(id) : undefined;
    if (!item) return;
    if (current) {
      if (session.isOpen(current.item.id)) returnTo = current.item.id;
      release(current.player.video);
      current = undefined;
    }
    show(item);
  }

  document.addEventListener(
    'keydown',
    (e) => {
      if (e.defaultPrevented || document.querySelector('dialog[open]')) return;
      const t = e.target;
      const review = (): void => {
        location.hash = `#/run/${encodeURIComponent(runId)}/review`;
      };
      if (!current) {
        // "All done" (or nothing shown yet): the header's Previous and Review keys still work.
        if (typingIn(t) || e.ctrlKey || e.metaKey || e.altKey) return;
        if (e.key === 'p') previous();
        else if (e.key === 'r') review();
        return;
      }
      onItemKey(e, current, root, { s: skip, p: previous, r: review });
    },
    { signal: signal },
  );
  const unsubscribe = subscribe((_status, saved) => {
    if (saved && session.confirm(saved) && current?.item.id === saved.item_id) {
      current.status.textContent = 'Your score is saved.';
    }
  });
  signal.addEventListener('abort', () => {
    unsubscribe();
    if (current) release(current.player.video);
    if (preloaded) release(preloaded.video);
  });

  // The item asked for (a link, or this tab's last one), unless the rater skipped it.
  const first = [wanted, session.position]
    .map((id) => (id && !session.isSkipped(id) ? session.byId.get(id) : undefined))
    .find((i) => i);
  if (first) show(first);
  else next(undefined);
}

/** "2 of 4 scored, 1 skipped". */
export function progressLine(done: number, total: number, skipped: number): string {
  return `${done} of ${total} scored${skipped ? `, ${skipped} skipped` : ''}`;
}
