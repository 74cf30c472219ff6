import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import {
  Forbidden,
  TooLarge,
  describeRun,
  duplicateItemIds,
  Invalid,
  isRunDataFile,
  parseRunFile,
  RESERVED_FILES,
  Unauthorized,
  type FileProblem,
  type RunFile,
} from '@fts/shared';
import { publishRun, type RunUploadFile } from '@fts/shared/node';
import type { AppContext } from '../../context';
import { InvalidFiles, parseOr400 } from '../../errors';
import { UploadFieldsSchema, UploadPathSchema } from './schema';

/** What `POST /runs` answers with 201. */
export interface UploadResponse {
  runId: string;
  itemCount: number;
  /** Number of files stored in the run (items, metadata, rubric). */
  files: number;
  /** Files that were sent but are not run data, with why. */
  skipped: FileProblem[];
}

/** Compare in constant time: both sides are hashed first, so lengths never leak either. */
function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Bearer token check (RFC 6750), before any of the body is read. */
export function requireUploadToken(ctx: AppContext): RequestHandler {
  return (req, res, next) => {
    const expected = ctx.config.uploadToken;
    if (!expected) {
      throw new Forbidden('uploads over HTTP are turned off on this server (UPLOAD_TOKEN is not set)');
    }
    const m = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(req.get('authorization') ?? '');
    if (!m?.[1] || !sameToken(m[1], expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="uploads"');
      throw new Unauthorized(
        m ? 'Authorization: the upload token is wrong' : 'Authorization: send "Bearer <UPLOAD_TOKEN>"',
      );
    }
    next();
  };
}

const totals = new WeakMap<Request, number>();

/**
 * Multer storage that keeps files in memory and stops the whole request once it passes
 * `maxTotalBytes` (multer's own limits are per file).
 */
function boundedMemory(maxTotalBytes: number): multer.StorageEngine {
  return {
    _handleFile(req, file, cb) {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      file.stream.on('data', (chunk: Buffer) => {
        if (failed) return;
        size += chunk.length;
        const total = (totals.get(req) ?? 0) + chunk.length;
        totals.set(req, total);
        if (total > maxTotalBytes) {
          failed = true;
          cb(new TooLarge(`the upload is larger than ${maxTotalBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      file.stream.on('error', (e) => {
        if (!failed) cb(e);
        failed = true;
      });
      file.stream.on('end', () => {
        if (!failed) cb(null, { buffer: Buffer.concat(chunks), size });
      });
    },
    _removeFile(_req, file, cb) {
      delete (file as Partial<Express.Multer.File>).buffer;
      cb(null);
    },
  };
}

/** Parse the multipart body within the configured limits. */
export function uploadBody(ctx: AppContext): RequestHandler {
  const { maxFiles, maxFileBytes, maxTotalBytes } = ctx.config.upload;
  const parse = multer({
    storage: boundedMemory(maxTotalBytes),
    preservePath: true,
    defParamCharset: 'utf8',
    limits: { files: maxFiles, fileSize: maxFileBytes, fields: 8, fieldSize: 1024, parts: maxFiles + 8 },
  }).array('files');
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      throw new Invalid('body: POST /runs takes multipart/form-data (fields run_id, replace; files)');
    }
    // Refuse early what is announced too large; the storage engine catches the rest.
    const announced = Number(req.get('content-length') ?? 0);
    if (announced > maxTotalBytes + 64 * 1024) {
      throw new TooLarge(`the upload is larger than ${maxTotalBytes} bytes`);
    }
    parse(req, res, next);
  };
}

/** Check every file, then publish the run (manifest last, so it is listed only when complete). */
export function createRun(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const fields = parseOr400(UploadFieldsSchema, { ...(req.body as object) });
    const sent = (req.files ?? []) as Express.Multer.File[];
    if (sent.length === 0) throw new Invalid('files: at least one file is required');

    const problems: FileProblem[] = [];
    const skipped: FileProblem[] = [];
    const kept: { path: string; buffer: Buffer; parsed: RunFile }[] = [];
    const seen = new Set<string>();
    for (const f of sent) {
      const path = f.originalname;
      const checked = UploadPathSchema.safeParse(path);
      if (!checked.success) {
        problems.push({ path, reason: `file name ${checked.error.issues[0]?.message ?? 'is invalid'}` });
        continue;
      }
      if (seen.has(path)) {
        problems.push({ path, reason: 'sent twice' });
        continue;
      }
      seen.add(path);
      if (!isRunDataFile(path)) {
        skipped.push({ path, reason: 'not a .json or .jsonl file' });
        continue;
      }
      if (RESERVED_FILES.includes(path)) {
        skipped.push({ path, reason: 'name reserved for the upload manifest' });
        continue;
      }
      const { file, problems: found } = parseRunFile(path, f.buffer.toString('utf8'));
      problems.push(...found);
      if (file) kept.push({ path, buffer: f.buffer, parsed: file });
    }
    problems.push(
      ...duplicateItemIds(kept.flatMap((f) => (f.parsed.kind === 'items' ? f.parsed.items : []))),
    );
    if (problems.length) throw new InvalidFiles(problems);
    const itemCount = kept.reduce((n, f) => n + (f.parsed.kind === 'items' ? f.parsed.items.length : 0), 0);
    if (itemCount === 0) throw new Invalid('files: no items: no JSON file references a video');

    const { model, prompt } = describeRun(kept.map((f) => f.parsed));
    const files: RunUploadFile[] = kept.map((f) => ({
      path: f.path,
      size: f.buffer.length,
      md5: createHash('md5').update(f.buffer).digest('base64'),
      kind: f.parsed.kind,
      read: () => Promise.resolve(f.buffer),
    }));
    try {
      await publishRun(
        ctx.store,
        {
          runId: fields.run_id,
          files,
          skipped,
          itemCount,
          ...(model ? { model } : {}),
          ...(prompt ? { prompt } : {}),
          uploadedBy: 'POST /runs',
        },
        { replace: fields.replace, now: ctx.clock },
      );
    } finally {
      ctx.catalog.invalidate(fields.run_id);
    }
    const body: UploadResponse = { runId: fields.run_id, itemCount, files: files.length, skipped };
    res.status(201).json(body);
  };
}
