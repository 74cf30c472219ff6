import type { Item, Rubric } from '@fts/shared';
import { button, el, kbd, plural, typingIn } from '../dom';
import type { MyScore } from '../session';
import { outputView, stepsList } from './output';
import { createPlayer, type Player } from './player';
import { rubricForm, type RubricForm } from './rubric';

/** A video element for an item, loading at once (used for the preloaded next item too). */
export function newVideo(item: Item): HTMLVideoElement {
  return el('video', { preload: 'auto', src: item.videoUrl, 'aria-label': `Video of ${item.id}` });
}

/** Stop a video's download and free its decoder (a rater goes through hundreds). */
export function release(video: HTMLVideoElement): void {
  video.pause();
  video.removeAttribute('src');
  video.load();
  video.remove();
}

/** Tell a missing video (404) from one the browser cannot decode. */
async function videoProblem(item: Item): Promise<string> {
  const res = await fetch(item.videoUrl, { method: 'HEAD', redirect: 'manual' }).catch(() => undefined);
  if (!res)
    return 'The video could not be loaded: the network seems to be down. It loads again when it is back.';
  if (res.status === 404) return `Video not found: ${item.videoUri}`;
  return `This video cannot be played (missing or in a format the browser cannot read): ${item.videoUri}`;
}

export interface ItemView {
  player: Player;
  rubric: RubricForm;
  /** Where the form says what is missing, or whether the score is saved. */
  status: HTMLElement;
  /** False while the video cannot play: the player and the rubric are disabled. */
  usable(): boolean;
}

/**
 * The keys every item view shares: Escape leaves a text field, Enter submits (unless the video
 * cannot play), then the player's and the rubric's keys, then the view's own `keys`.
 */
export function onItemKey(
  e: KeyboardEvent,
  view: ItemView,
  root: HTMLElement,
  keys: Record<string, () => void>,
): void {
  const t = e.target;
  if (e.key === 'Escape' && typingIn(t)) {
    (t as HTMLElement).blur();
    root.focus({ preventScroll: true });
    return;
  }
  if (e.key === 'Enter') {
    if (!view.usable()) return;
    const native =
      t instanceof HTMLButtonElement || t instanceof HTMLAnchorElement || t instanceof HTMLSelectElement;
    if (native || (t instanceof HTMLElement && t.tagName === 'SUMMARY')) return;
    if (typingIn(t) && !(e.ctrlKey || e.metaKey)) return;
    e.preventDefault();
    view.rubric.form.requestSubmit();
    return;
  }
  if (view.player.key(e) || view.rubric.key(e)) {
    e.preventDefault();
    return;
  }
  if (typingIn(t) || e.ctrlKey || e.metaKey || e.altKey) return;
  const action = keys[e.key];
  if (action) {
    e.preventDefault();
    action();
  }
}

export interface ItemActions {
  submit(): void;
  skip(): void;
}

/**
 * One item on the stage: title, player, steps and any video problem on the left; the
 * model's output and the rubric (filled with the rater's earlier answer, if any) on the right.
 */
export function renderItem(
  stage: HTMLElement,
  item: Item,
  rubricSpec: Rubric,
  mine: MyScore | undefined,
  video: HTMLVideoElement,
  actions: ItemActions,
  options: { blind?: boolean } = {},
): ItemView {
  const notice = el('div', { class: 'video-problem', role: 'alert', hidden: true });
  const skipNow = button(['Skip this item ', kbd('s')], actions.skip, { class: 'ctl primary' });
  let usable = true;
  // A video that cannot play cannot be judged: its controls and the rubric are switched
  // off and skipping is the one thing left to do.
  const setUsable = (on: boolean): void => {
    usable = on;
    player.setEnabled(on);
    rubric.setEnabled(on);
    submitBtn.disabled = !on;
  };
  const player = createPlayer(video, () => {
    if (!navigator.onLine) {
      // Offline: try again as soon as the network is back.
      window.addEventListener(
        'online',
        () => {
          if (!video.isConnected) return;
          notice.hidden = true;
          setUsable(true);
          video.src = item.videoUrl;
          player.play();
        },
        { once: true },
      );
    }
    const why = el('p', {}, el('strong', {}, 'Video not found or unplayable. '), 'Checking…');
    notice.hidden = false;
    notice.replaceChildren(why, skipNow);
    setUsable(false);
    skipNow.focus();
    void videoProblem(item).then((text) => why.replaceChildren(text));
  });
  const rubric = rubricForm(rubricSpec, 'rubric');
  const status = el('p', { class: 'form-status', role: 'status' });
  if (mine) {
    rubric.fill(mine.answers, mine.comment);
    status.textContent =
      mine.state === 'saved' ? 'Your score is saved.' : 'Your score is waiting to be sent.';
  }
  rubric.form.addEventListener('change', () => {
    if (!status.classList.contains('error')) return;
    status.classList.remove('error');
    status.textContent = '';
  });
  rubric.form.addEventListener('submit', (e) => {
    e.preventDefault();
    actions.submit();
  });
  const submitBtn = el(
    'button',
    { type: 'submit', class: 'primary' },
    mine ? 'Submit new score ' : 'Submit ',
    kbd('Enter'),
  );
  rubric.form.append(
    el(
      'div',
      { class: 'actions' },
      submitBtn,
      button([mine ? 'Keep and continue ' : 'Skip ', kbd('s')], actions.skip, { class: 'ctl' }),
      status,
    ),
  );
  const steps = item.segments.length ? stepsList(item.segments, player.video) : null;
  stage.replaceChildren(
    el(
      'div',
      { class: 'left' },
      el(
        'h2',
        { class: 'item-title' },
        item.id,
        mine ? el('span', { class: 'badge' }, 'scored — a new submission replaces it') : null,
      ),
      player.root,
      notice,
      steps
        ? el(
            'section',
            { class: 'steps-box', 'aria-label': 'Recognised steps' },
            el('h3', {}, 'Steps'),
            steps,
          )
        : null,
    ),
    el('div', { class: 'right' }, outputView(item, options), el('section', { class: 'card' }, rubric.form)),
  );
  return { player, rubric, status, usable: () => usable };
}

/**
 * The end of a run, or of its open items: thanks, or the skipped items to revisit, and
 * where to go next.
 */
export function renderDone(
  stage: HTMLElement,
  runId: string,
  counts: { done: number; total: number; skipped: number },
  revisit: () => void,
): void {
  const finished = counts.done >= counts.total;
  const heading = el('h2', { tabindex: '-1' }, finished ? 'All done' : 'Only skipped items left');
  const revisitBtn = counts.skipped
    ? button(`Revisit ${counts.skipped === 1 ? 'the skipped item' : 'skipped items'}`, revisit, {
        class: 'primary',
      })
    : null;
  stage.replaceChildren(
    el(
      'section',
      { class: 'done card', role: 'status' },
      heading,
      el(
        'p',
        {},
        `You have scored ${counts.done} of ${plural(counts.total, 'item')} in this run.`,
        finished ? ' Thank you!' : '',
      ),
      counts.skipped ? el('p', {}, `You skipped ${plural(counts.skipped, 'item')}. `, revisitBtn) : null,
      el(
        'p',
        {},
        el('a', { href: `#/run/${encodeURIComponent(runId)}/review` }, 'Review your scores'),
        ' · ',
        el('a', { href: '#/' }, 'Back to runs'),
      ),
    ),
  );
  (revisitBtn ?? heading).focus();
}
