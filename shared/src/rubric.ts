import { z } from 'zod';
import { Invalid } from './errors';

const CriterionBase = {
  /** Stable id, used as the `criterion` column of scores.csv. */
  id: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be snake_case, at most 40 characters'),
  /** What the rater sees. */
  label: z.string().min(1).max(200),
  /** Longer guidance shown under the label. */
  help: z.string().max(2000).optional(),
  /** Whether a submission must answer it. */
  required: z.boolean().default(true),
};

/** An integer scale such as 1-5, with optional labels for some points ("1": "unusable"). */
export const ScaleCriterionSchema = z
  .object({
    ...CriterionBase,
    type: z.literal('scale'),
    min: z.number().int(),
    max: z.number().int(),
    anchors: z.record(z.string(), z.string()).optional(),
  })
  .refine((c) => c.max > c.min && c.max - c.min <= 100, 'max must exceed min by 1-100');

/** One answer out of a fixed list of options. */
export const ChoiceCriterionSchema = z.object({
  ...CriterionBase,
  type: z.literal('choice'),
  options: z
    .array(z.object({ value: z.string().min(1).max(100), label: z.string().min(1).max(200) }))
    .min(2)
    .max(20),
});

/** A yes/no question; stored as `yes` or `no`. */
export const YesNoCriterionSchema = z.object({ ...CriterionBase, type: z.literal('yesno') });

export const CriterionSchema = z.union([ScaleCriterionSchema, ChoiceCriterionSchema, YesNoCriterionSchema]);
export type Criterion = z.infer<typeof CriterionSchema>;

/** What raters answer for each item. A run may override the default with `rubric.json`. */
export const RubricSchema = z
  .object({
    criteria: z.array(CriterionSchema).min(1).max(30),
    /** Whether a free-text comment is offered (it is always optional). */
    comment: z.boolean().default(true),
  })
  .refine(
    (r) => new Set(r.criteria.map((c) => c.id)).size === r.criteria.length,
    'criterion ids must be unique',
  );
export type Rubric = z.infer<typeof RubricSchema>;

/** The server's default rubric: overall quality 1-5 plus a comment. */
export const DEFAULT_RUBRIC: Rubric = {
  criteria: [
    {
      id: 'overall',
      label: 'Overall quality of the model output',
      help: 'How well does the output describe what happens in the video?',
      type: 'scale',
      min: 1,
      max: 5,
      anchors: { '1': 'Wrong or useless', '3': 'Partly right', '5': 'Accurate and complete' },
      required: true,
    },
  ],
  comment: true,
};

/** An answer to one criterion: a number for scales, a string for choices and yes/no. */
export type AnswerValue = number | string;

/**
 * Check a submission's answers against a rubric. Throws `Invalid` naming the first
 * offending field; returns the answers in rubric order with unanswered optional ones left out.
 */
export function validateAnswers(
  rubric: Rubric,
  answers: Record<string, unknown>,
): Record<string, AnswerValue> {
  const known = new Set(rubric.criteria.map((c) => c.id));
  for (const key of Object.keys(answers)) {
    if (!known.has(key)) throw new Invalid(`answers.${key}: not a criterion of this run's rubric`);
  }
  const out: Record<string, AnswerValue> = {};
  for (const c of rubric.criteria) {
    // Own keys only: a criterion may be named `constructor`, which every object inherits.
    const v = Object.prototype.hasOwnProperty.call(answers, c.id) ? answers[c.id] : undefined;
    if (v === undefined || v === null || v === '') {
      if (c.required) throw new Invalid(`answers.${c.id}: required`);
      continue;
    }
    switch (c.type) {
      case 'scale':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < c.min || v > c.max) {
          throw new Invalid(`answers.${c.id}: must be an integer from ${c.min} to ${c.max}`);
        }
        out[c.id] = v;
        break;
      case 'choice':
        if (typeof v !== 'string' || !c.options.some((o) => o.value === v)) {
          throw new Invalid(`answers.${c.id}: must be one of ${c.options.map((o) => o.value).join(', ')}`);
        }
        out[c.id] = v;
        break;
      case 'yesno':
        if (v !== 'yes' && v !== 'no') throw new Invalid(`answers.${c.id}: must be "yes" or "no"`);
        out[c.id] = v;
        break;
    }
  }
  return out;
}
