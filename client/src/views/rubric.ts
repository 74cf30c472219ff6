import type { Criterion, Rubric } from '@fts/shared';
import { MAX_COMMENT_LENGTH } from '@fts/shared/rules';
import { el, kbd, typingIn } from '../dom';

type Answer = number | string | null;

interface Option {
  value: string;
  label: string;
  /** The digit that picks it, if any. */
  key?: string;
}

function optionsOf(c: Criterion): Option[] {
  if (c.type === 'scale') {
    // A scale within 0-9 is answered by its own digits; a wider one has no digit keys.
    const digits = c.min >= 0 && c.max <= 9;
    return Array.from({ length: c.max - c.min + 1 }, (_, i) => {
      const v = String(c.min + i);
      const anchor = c.anchors?.[v];
      return { value: v, label: anchor ? `${v} – ${anchor}` : v, ...(digits ? { key: v } : {}) };
    });
  }
  const opts =
    c.type === 'choice'
      ? c.options
      : [
          { value: 'yes', label: 'Yes' },
          { value: 'no', label: 'No' },
        ];
  return opts.map((o, i) => ({ ...o, ...(i < 9 ? { key: String(i + 1) } : {}) }));
}

export interface RubricForm {
  form: HTMLFormElement;
  comment: HTMLTextAreaElement;
  /** Answers by criterion id; unanswered ones are left out. */
  answers(): Record<string, number | string>;
  /** Required criteria without an answer. */
  missing(): Criterion[];
  /** Fill in earlier answers (when reviewing). */
  fill(answers: Record<string, Answer>, comment: string): void;
  /** Handle a digit, y/n or c; true when it was one. */
  key(e: KeyboardEvent): boolean;
  /** Switch answering on or off (off while the video cannot play). */
  setEnabled(on: boolean): void;
}

/** The key that picks an option, shown small after its label. */
function keyHint(key: string): HTMLElement {
  const k = kbd(key);
  k.className = 'key-hint';
  k.title = `Press ${key}`;
  return k;
}

/** The run's rubric as radio groups; digits answer the criterion in focus or the first open one. */
export function rubricForm(rubric: Rubric, formId: string): RubricForm {
  const form = el('form', { class: 'rubric', id: formId, 'aria-label': 'Rubric', novalidate: true });
  const groups = rubric.criteria.map((c) => {
    const opts = optionsOf(c);
    const helpId = `${formId}-${c.id}-help`;
    const fs = el(
      'fieldset',
      { 'data-criterion': c.id, ...(c.help ? { 'aria-describedby': helpId } : {}) },
      el(
        'legend',
        {},
        c.label,
        c.required ? el('span', { class: 'req', 'aria-label': 'required' }, ' *') : null,
      ),
      c.help ? el('p', { class: 'help', id: helpId }, c.help) : null,
    );
    const row = el('div', { class: `options ${c.type}` });
    for (const o of opts) {
      row.append(
        el(
          'label',
          { class: 'option' },
          el('input', { type: 'radio', name: c.id, value: o.value }),
          el('span', {}, o.label),
          // The key is shown only where the label does not already say it ("2", "1 – Wrong").
          o.key && o.label !== o.key && !o.label.startsWith(`${o.key} `) ? keyHint(o.key) : null,
        ),
      );
    }
    fs.append(row);
    form.append(fs);
    return { c, fs, opts };
  });
  const comment = el('textarea', {
    id: `${formId}-comment`,
    name: 'comment',
    rows: '2',
    maxlength: String(MAX_COMMENT_LENGTH),
    placeholder: 'Anything the scores do not say (optional)',
  });
  if (rubric.comment) {
    form.append(el('label', { for: comment.id, class: 'comment-label' }, 'Comment ', kbd('c')), comment);
  }

  const radio = (id: string, value: string): HTMLInputElement | null =>
    form.querySelector<HTMLInputElement>(`input[name="${CSS.escape(id)}"][value="${CSS.escape(value)}"]`);
  const valueOf = (c: Criterion): Answer => {
    const checked = form.querySelector<HTMLInputElement>(`input[name="${CSS.escape(c.id)}"]:checked`);
    if (!checked) return null;
    return c.type === 'scale' ? Number(checked.value) : checked.value;
  };

  let enabled = true;
  return {
    form,
    comment,
    answers() {
      const out: Record<string, number | string> = {};
      for (const { c } of groups) {
        const v = valueOf(c);
        if (v !== null) out[c.id] = v;
      }
      return out;
    },
    missing() {
      return groups.filter(({ c }) => c.required && valueOf(c) === null).map(({ c }) => c);
    },
    fill(answers, text) {
      for (const { c } of groups) {
        const v = answers[c.id];
        const r = v === null || v === undefined ? null : radio(c.id, String(v));
        if (r) r.checked = true;
      }
      comment.value = text;
    },
    setEnabled(on) {
      enabled = on;
      for (const { fs } of groups) fs.disabled = !on;
      comment.disabled = !on;
    },
    key(e) {
      if (!enabled) return false;
      if (typingIn(e.target) || e.ctrlKey || e.metaKey || e.altKey) return false;
      if (e.key === 'c' && rubric.comment) {
        comment.focus();
        return true;
      }
      const focused = groups.find((g) => g.fs.contains(document.activeElement));
      const target = focused ?? groups.find((g) => valueOf(g.c) === null) ?? groups[0];
      if (!target) return false;
      let value: string | undefined;
      if (/^[0-9]$/.test(e.key)) value = target.opts.find((o) => o.key === e.key)?.value;
      else if (target.c.type === 'yesno' && (e.key === 'y' || e.key === 'n')) {
        value = e.key === 'y' ? 'yes' : 'no';
      } else return false;
      const r = value === undefined ? null : radio(target.c.id, value);
      if (!r) return true;
      r.checked = true;
      r.dispatchEvent(new Event('change', { bubbles: true }));
      if (focused) r.focus();
      return true;
    },
  };
}
