import { z } from 'zod';
import { RubricSchema } from './rubric';
import { RunIdSchema } from './ids';

/** A file of a run as recorded in its manifest. */
export const ManifestFileSchema = z.object({
  /** Path inside the run folder, `/`-separated. */
  path: z.string(),
  /** Size in bytes. */
  size: z.number().int().nonnegative(),
  /** MD5 of the content, base64 (as GCS reports it), so a rerun can skip unchanged files. */
  md5: z.string(),
  /** What the file holds. */
  kind: z.enum(['items', 'metadata', 'rubric']),
});
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

/**
 * `inference_runs/<run_id>/manifest.json`, written last: a run without one is incomplete
 * and never listed.
 */
export const ManifestSchema = z.object({
  version: z.literal(1),
  runId: RunIdSchema,
  /** When the upload finished (ISO 8601 UTC). */
  createdAt: z.string(),
  /** Model and prompt, when the run's files name them. */
  model: z.string().optional(),
  prompt: z.string().optional(),
  itemCount: z.number().int().nonnegative(),
  files: z.array(ManifestFileSchema),
  /** Files in the local folder that were not uploaded, with why. */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })).default([]),
  /** Tool that made the upload, for support. */
  uploadedBy: z.string().optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** A run as listed by `GET /runs`. */
export const RunSummarySchema = z.object({
  id: RunIdSchema,
  createdAt: z.string(),
  model: z.string().optional(),
  prompt: z.string().optional(),
  itemCount: z.number().int().nonnegative(),
  /** Submissions so far (every rater, every item). */
  ratingCount: z.number().int().nonnegative(),
  rubric: RubricSchema,
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** A run in full, as returned by `GET /runs/:id`. */
export const RunDetailSchema = RunSummarySchema.extend({
  manifest: ManifestSchema,
  /** Contents of the run's metadata files (JSON without a video reference), by path. */
  metadata: z.record(z.string(), z.unknown()),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

export const SegmentSchema = z.object({
  start: z.number(),
  end: z.number().optional(),
  label: z.string(),
});

/** One thing to rate: a video and what the model said about it. */
export const ItemSchema = z.object({
  id: z.string(),
  runId: RunIdSchema,
  /** Where the record came from: the file's path in the run, plus line for JSONL. */
  source: z.string(),
  /** The video as the record names it, resolved to `gs://bucket/key`. */
  videoUri: z.string(),
  /** Where the app fetches the video: `/videos/<bucket>/<key>`. */
  videoUrl: z.string(),
  /** The model's output (JSON inside a text answer is parsed); null when missing. */
  output: z.unknown(),
  /** Recognised steps with times in seconds. */
  segments: z.array(SegmentSchema),
  /** Inference error recorded for this item, if any. */
  error: z.string().optional(),
  /** The whole record as written by the pipeline. */
  record: z.record(z.string(), z.unknown()),
});
export type Item = z.infer<typeof ItemSchema>;
