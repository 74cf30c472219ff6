import { z } from 'zod';
import {
  ApiErrorSchema,
  ItemSchema,
  RaterIdSchema,
  RunDetailSchema,
  RunIdSchema,
  RunSummarySchema,
  SubmissionInputSchema,
  SubmissionSchema,
} from '@fts/shared';
import { MAX_SKIP } from './routes/runs/schema';

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema, as the client sends it. */
function schema(s: z.ZodType): Record<string, unknown> {
  const out = { ...(z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>) };
  delete out.$schema;
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (s: object) => ({ 'application/json': { schema: s } });
const error = (description: string) => ({ description, content: json(ref('Error')) });

const runId = { name: 'id', in: 'path', required: true, schema: schema(RunIdSchema) };
const query = (name: string, description: string, s: object = { type: 'string' }, required = false) => ({
  name,
  in: 'query',
  required,
  description,
  schema: s,
});

const exportFilters = [
  query('run', 'Only this run.', schema(RunIdSchema)),
  query('rater', 'Only this rater (normalised: trimmed, lower-case).', schema(RaterIdSchema)),
];

/** The OpenAPI 3.1 description of every route, served at `/openapi.json`. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Factory Task Scoring API',
      version,
      description:
        'Runs of model outputs on factory videos, their items, and human scores. Every error is ' +
        '`{error, message, requestId}` with a 4xx or 5xx status; every response carries X-Request-Id.',
    },
    paths: {
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Up' } } } },
      '/openapi.json': {
        get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1 document' } } },
      },
      '/runs': {
        get: {
          summary: 'Complete runs, newest first',
          responses: {
            200: { description: 'Runs', content: json({ type: 'array', items: ref('RunSummary') }) },
          },
        },
        post: {
          summary: 'Create (or explicitly replace) a run from a folder of files',
          description:
            'Needs `Authorization: Bearer <UPLOAD_TOKEN>`; with no token configured uploads are off (403). ' +
            'Every file is checked before anything is stored; the manifest is written last, so the run is ' +
            'listed only once complete. Rate limited.',
          security: [{ uploadToken: [] }],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['run_id', 'files'],
                  properties: {
                    run_id: schema(RunIdSchema),
                    replace: { type: 'string', enum: ['1', 'true', '0', 'false'] },
                    files: {
                      type: 'array',
                      description: "Each part's filename is the file's relative path in the run folder.",
                      items: { type: 'string', contentMediaType: 'application/octet-stream' },
                    },
                  },
                },
              },
            },
          },
          responses: {
            201: { description: 'Run created', content: json(ref('UploadResponse')) },
            400: error('Bad run ID, file name or file (the body lists `problems`)'),
            401: error('Missing or wrong token'),
            403: error('Uploads are turned off'),
            409: error('The run exists and replacement was not asked for'),
            413: error('Too many files, or too large'),
            429: error('Too many writes'),
          },
        },
      },
      '/runs/{id}': {
        get: {
          summary: 'One run: manifest, metadata files, rubric',
          parameters: [runId],
          responses: {
            200: { description: 'Run', content: json(ref('RunDetail')) },
            404: error('No such run'),
          },
        },
      },
      '/runs/{id}/items': {
        get: {
          summary: "A run's items: video URI and URL, model output, steps, error",
          parameters: [runId],
          responses: {
            200: { description: 'Items', content: json({ type: 'array', items: ref('Item') }) },
            404: error('No such run'),
          },
        },
      },
      '/runs/{id}/next': {
        get: {
          summary: 'The next item for a rater, and their progress',
          parameters: [
            runId,
            query('rater', 'Rater ID', schema(RaterIdSchema), true),
            {
              ...query(
                'skip',
                `Item IDs to leave out (the rater skipped them): repeat the parameter or separate IDs with commas; at most ${MAX_SKIP}.`,
                { type: 'array', items: { type: 'string' }, maxItems: MAX_SKIP },
              ),
              style: 'form',
              explode: true,
            },
          ],
          responses: {
            200: {
              description:
                'Next item (null when the rater has scored every item not skipped); progress counts the skipped items that are not scored',
              content: json({
                type: 'object',
                required: ['item', 'progress'],
                properties: {
                  item: { anyOf: [ref('Item'), { type: 'null' }] },
                  progress: {
                    type: 'object',
                    properties: {
                      done: { type: 'integer' },
                      skipped: { type: 'integer' },
                      total: { type: 'integer' },
                    },
                  },
                },
              }),
            },
            400: error('Bad rater ID, or a bad or too long skip list'),
            404: error('No such run'),
          },
        },
      },
      '/runs/{id}/stats': {
        get: {
          summary:
            'Per-run results: per-criterion means with cluster-bootstrap 95% intervals, agreement, coverage',
          parameters: [
            runId,
            query('seed', 'Bootstrap seed; the same seed gives the same intervals.', { type: 'integer' }),
          ],
          responses: {
            200: { description: 'Statistics (see README, "Statistics")', content: json({ type: 'object' }) },
            400: error('Bad seed'),
            404: error('No such run'),
          },
        },
      },
      '/compare': {
        get: {
          summary: 'Run A against run B: difference in means, test, win/tie/loss, ratings still needed',
          parameters: [
            query('a', 'First run', schema(RunIdSchema), true),
            query('b', 'Second run (different from a)', schema(RunIdSchema), true),
            query('seed', 'Bootstrap seed', { type: 'integer' }),
          ],
          responses: {
            200: { description: 'Comparison (see README, "Statistics")', content: json({ type: 'object' }) },
            400: error('Missing or equal runs'),
            404: error('No such run'),
          },
        },
      },
      '/compare/next': {
        get: {
          summary: 'The next video to rate in both runs, in counterbalanced order, runs not named',
          parameters: [
            query('a', 'First run', schema(RunIdSchema), true),
            query('b', 'Second run', schema(RunIdSchema), true),
            query('rater', 'Rater ID', schema(RaterIdSchema), true),
          ],
          responses: {
            200: {
              description: 'The pair of items, or `videoUri: null` when done',
              content: json({ type: 'object' }),
            },
            400: error('Bad query, or the runs share no video'),
            404: error('No such run'),
          },
        },
      },
      '/videos/{bucket}/{key}': {
        get: {
          summary: 'A video that a listed run references (or under a configured prefix)',
          description:
            'On Google Cloud Storage: 302 to a short-lived signed URL. On the file backend: the bytes, ' +
            'with Range support (RFC 7233). `key` is the object key; it may contain `/`. Anything else is 404.',
          parameters: [
            { name: 'bucket', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'key', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'Range', in: 'header', required: false, schema: { type: 'string' } },
          ],
          responses: {
            200: { description: 'The whole video', content: { 'video/*': {} } },
            206: { description: 'The requested range', content: { 'video/*': {} } },
            302: { description: 'Redirect to a signed URL' },
            404: error('Not a video any run references'),
            416: error('Range outside the video'),
          },
        },
      },
      '/scores': {
        get: {
          summary: 'Submissions as JSON, e.g. a rater reviewing their own',
          parameters: exportFilters,
          responses: {
            200: {
              description: 'Submissions, oldest first',
              content: json({ type: 'array', items: ref('Submission') }),
            },
            400: error('Bad filter'),
          },
        },
        post: {
          summary: "Record a submission, checked against the run's rubric (idempotent by submission_id)",
          requestBody: { required: true, content: json(ref('SubmissionInput')) },
          responses: {
            201: { description: 'Recorded (durable)', content: json(ref('SubmissionReceipt')) },
            200: {
              description: 'Already recorded under this submission_id',
              content: json(ref('SubmissionReceipt')),
            },
            400: error('A field is invalid (the message names it), including an unknown run or item'),
            413: error('Body too large'),
            429: error('Too many writes'),
          },
        },
      },
      '/scores.csv': {
        get: {
          summary: 'Every durable submission as CSV (RFC 4180, UTF-8), streamed',
          description:
            'Tidy: one row per answered criterion. Wide: one row per submission, a column per criterion. ' +
            "Text cells a spreadsheet would run as a formula start with `'`.",
          parameters: [
            ...exportFilters,
            query('since', 'Only submissions at or after this ISO 8601 date or date-time'),
            query('latest', "`1`: only each rater's latest submission per item", {
              type: 'string',
              enum: ['1', 'true', '0', 'false'],
            }),
            query('format', '`tidy` (default) or `wide`', { type: 'string', enum: ['tidy', 'wide'] }),
          ],
          responses: {
            200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
            400: error('Bad filter'),
          },
        },
      },
    },
    components: {
      securitySchemes: { uploadToken: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: schema(ApiErrorSchema),
        RunSummary: schema(RunSummarySchema),
        RunDetail: schema(RunDetailSchema),
        Item: schema(ItemSchema),
        SubmissionInput: schema(SubmissionInputSchema),
        Submission: schema(SubmissionSchema),
        SubmissionReceipt: {
          type: 'object',
          required: ['submission', 'created'],
          properties: { submission: ref('Submission'), created: { type: 'boolean' } },
        },
        UploadResponse: {
          type: 'object',
          required: ['runId', 'itemCount', 'files', 'skipped'],
          properties: {
            runId: { type: 'string' },
            itemCount: { type: 'integer' },
            files: { type: 'integer', description: 'Files stored in the run' },
            skipped: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, reason: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}
