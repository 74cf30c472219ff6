import type { Item, Rubric, RunDetail } from '@fts/shared';
import { api, ApiFailure } from '../api';
import { clock, el } from '../dom';
import { currentRater } from '../state';

const APP_VERSION = '0.1.0';

function outputView(item: Item): HTMLElement {
  const box = el('section', { class: 'output', 'aria-label': 'Model output' });
  if (item.error) box.append(el('p', { class: 'error', role: 'status' }, `Inference error: ${item.error}`));
  return box;
}

function segmentsView(item: Item, video: HTMLVideoElement): HTMLElement | null {
  if (item.segments.length === 0) return null;
  const buttons = item.segments.map((s) =>
    el(
      'button',
      { type: 'button', class: 'segment' },
      el('span', { class: 'time' }, `${clock(s.start)}${s.end !== undefined ? `–${clock(s.end)}` : ''}`),
      ' ',
      s.label,
    ),
  );
  buttons.forEach((b, i) =>
    b.addEventListener('click', () => {
      video.currentTime = item.segments[i]?.start ?? 0;
      void video.play().catch(() => undefined);
    }),
  );
  video.addEventListener('timeupdate', () => {
    const t = video.currentTime;
    item.segments.forEach((s, i) => {
      const active =
        t >= s.start &&
        (s.end === undefined
          ? i === item.segments.length - 1 || t < (item.segments[i + 1]?.start ?? Infinity)
          : t < s.end);
      buttons[i]?.classList.toggle('active', active);
      if (active) buttons[i]?.setAttribute('aria-current', 'true');
      else buttons[i]?.removeAttribute('aria-current');
    });
  });
  return el('ol', { class: 'segments', 'aria-label': 'Steps' }, ...buttons.map((b) => el('li', {}, b)));
}

function rubricForm(rubric: Rubric): {
  form: HTMLFormElement;
  answers: () => Record<string, number | string | null>;
  comment: () => string;
} {
  const form = el('form', { class: 'rubric', 'aria-label': 'Rubric' });
  for (const c of rubric.criteria) {
    const fs = el('fieldset', {}, el('legend', {}, c.label + (c.required ? ' *' : '')));
    if (c.help) fs.append(el('p', { class: 'help' }, c.help));
    const options: { value: string; label: string }[] =
      c.type === 'scale'
        ? Array.from({ length: c.max - c.min + 1 }, (_, i) => {
            const v = String(c.min + i);
            return { value: v, label: c.anchors?.[v] ? `${v} – ${c.anchors[v]}` : v };
          })
        : c.type === 'choice'
          ? c.options
          : [
              { value: 'yes', label: 'Yes' },
              { value: 'no', label: 'No' },
            ];
    for (const o of options) {
      fs.append(
        el(
          'label',
          { class: 'choice' },
          el('input', { type: 'radio', name: c.id, value: o.value, required: c.required }),
          ` ${o.label}`,
        ),
      );
    }
    form.append(fs);
  }
  const comment = el('textarea', { id: 'comment', name: 'comment', rows: '3', maxlength: '5000' });
  if (rubric.comment) form.append(el('label', { for: 'comment' }, 'Comment (optional)'), comment);
  form.append(el('button', { type: 'submit', class: 'primary' }, 'Submit'));
  return {
    form,
    comment: () => comment.value,
    answers: () => {
      const out: Record<string, number | string | null> = {};
      for (const c of rubric.criteria) {
        const checked = form.querySelector<HTMLInputElement>(`input[name="${c.id}"]:checked`);
        out[c.id] = checked ? (c.type === 'scale' ? Number(checked.value) : checked.value) : null;
      }
      return out;
    },
  };
}

/** The scoring view: video, model output, rubric; submit loads the next item. */
export async function renderScore(
  root: HTMLElement,
  runId: string,
  go: (hash: string) => void,
): Promise<void> {
  const rater = currentRater();
  if (!rater) {
    go('#/');
    return;
  }
  root.replaceChildren(el('p', {}, 'Loading…'));
  let run: RunDetail;
  try {
    run = await api.run(runId);
  } catch (e) {
    root.replaceChildren(
      el('p', { class: 'error' }, `Could not load run ${runId}: ${(e as Error).message}`),
      el('a', { href: '#/' }, 'Back to runs'),
    );
    return;
  }
  const next = await api.next(runId, rater);
  const progress = el('progress', {
    max: String(next.progress.total),
    value: String(next.progress.done),
    'aria-label': 'Progress',
  });
  const header = el(
    'div',
    { class: 'run-head' },
    el('a', { href: '#/' }, '← Runs'),
    el('h1', {}, run.id),
    progress,
    el('span', {}, `${next.progress.done} / ${next.progress.total} done`),
  );
  if (!next.item) {
    root.replaceChildren(
      header,
      el(
        'p',
        { class: 'done', role: 'status' },
        'All done: you have scored every item of this run. Thank you!',
      ),
    );
    return;
  }
  const item = next.item;
  const started = Date.now();
  const video = el('video', {
    controls: true,
    preload: 'auto',
    src: item.videoUrl,
    'aria-label': `Video ${item.videoUri}`,
  });
  const videoError = el('p', { class: 'error', role: 'alert', hidden: true });
  video.addEventListener('error', () => {
    videoError.hidden = false;
    videoError.textContent = `Video not found or cannot be played: ${item.videoUri}`;
  });
  const { form, answers, comment } = rubricForm(run.rubric);
  const status = el('p', { class: 'status', role: 'status' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    status.textContent = 'Saving…';
    api
      .submit({
        submission_id: crypto.randomUUID(),
        rater_id: rater,
        run_id: run.id,
        item_id: item.id,
        answers: answers(),
        comment: comment(),
        time_spent_ms: Date.now() - started,
        app_version: APP_VERSION,
      })
      .then(() => renderScore(root, runId, go))
      .catch((err: unknown) => {
        status.textContent = `Not saved: ${err instanceof ApiFailure ? err.message : String(err)}`;
      });
  });
  const output = outputView(item);
  const segs = segmentsView(item, video);
  if (segs) output.append(el('h3', {}, 'Steps'), segs);
  output.append(el('h3', {}, 'Output'), el('pre', { class: 'json' }, JSON.stringify(item.output, null, 2)));
  root.replaceChildren(
    header,
    el('h2', { class: 'item-id' }, item.id),
    el(
      'div',
      { class: 'score-grid' },
      el('div', { class: 'media' }, video, videoError),
      output,
      el('div', { class: 'answer' }, form, status),
    ),
  );
}
