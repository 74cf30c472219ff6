import { pipeline } from 'node:stream';
import { Router, type ErrorRequestHandler } from 'express';
import { NotFound } from '@fts/shared';
import { contentTypeFor, type LoadedRun, type ObjectStore } from '@fts/shared/node';
import type { AppContext } from '../../context';
import { sendError } from '../../errors';
import { listedRuns } from '../runs/runs';
import { isPlainVideoKey, VideoAccess } from './access';
import { SignedUrlCache } from './signed-urls';

/** `GET /videos/:bucket/*key` (and HEAD). */
export function videosRouter(ctx: AppContext): Router {
  const r = Router();
  const access = new VideoAccess(ctx.config.videoPrefixes);
  const signed = new SignedUrlCache(ctx.config.signedUrlTtlSeconds, () => ctx.clock().getTime());

  // The runs, loaded once per listing of run IDs (the catalog refreshes that every few
  // seconds, and at once after an upload here), so a video request does not stat every
  // run's manifest: this sits between "submit" and the next video playing.
  let loaded: { ids: Promise<string[]>; runs: Promise<LoadedRun[]> } | undefined;
  const runs = (): Promise<LoadedRun[]> => {
    const ids = ctx.catalog.runIds();
    if (loaded?.ids !== ids) {
      const current = { ids, runs: listedRuns(ctx) };
      current.runs.catch(() => {
        if (loaded === current) loaded = undefined;
      });
      loaded = current;
    }
    return loaded.runs;
  };

  // Express decodes each segment once. Whatever that yields is checked as a plain key and
  // then compared with what runs reference, so traversal, `%2F` or double-encoding can only
  // produce a key no run names: 404, and nothing is signed.
  r.get('/videos/:bucket/*key', async (req, res) => {
    const bucket = req.params.bucket;
    const key = (req.params.key as unknown as string[]).join('/');
    const uri = `gs://${bucket}/${key}`;
    const notFound = new NotFound(`no video ${uri} in any run`);
    if (!isPlainVideoKey(bucket, key, ctx.store.bucketName)) throw notFound;
    if (!access.allows(uri, await runs())) throw notFound;

    const store: ObjectStore = bucket === ctx.store.bucketName ? ctx.store : ctx.store.bucket(bucket);
    if (store.signedReadUrl) {
      const { url, reuseSeconds } = await signed.get(uri, (ttl) => store.signedReadUrl!(key, ttl));
      res.setHeader('Cache-Control', `private, max-age=${Math.max(0, reuseSeconds)}`);
      res.redirect(302, url);
      return;
    }

    const info = await store.stat(key);
    if (!info) throw new NotFound(`video not found: ${uri}`);
    res.setHeader('Accept-Ranges', 'bytes');
    // RFC 7233: a range in another unit than bytes is ignored (§3.1); an unsatisfiable one
    // is 416 with `Content-Range: bytes */size`.
    const ranges = /^bytes=/i.test(req.headers.range ?? '')
      ? req.range(info.size, { combine: true })
      : undefined;
    if (ranges === -1) {
      res.setHeader('Content-Range', `bytes */${info.size}`);
      sendError(res, 416, { error: 'range_not_satisfiable', message: `range outside 0-${info.size - 1}` });
      return;
    }
    res.setHeader('Content-Type', contentTypeFor(key));
    res.setHeader('Cache-Control', 'private, max-age=300');
    // A malformed Range header (-2) or several ranges get the whole body (RFC 7233 §3.1).
    const range = Array.isArray(ranges) && ranges.length === 1 ? ranges[0] : undefined;
    if (range) {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`);
      res.setHeader('Content-Length', String(range.end - range.start + 1));
    } else {
      res.setHeader('Content-Length', String(info.size));
    }
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = await store.readStream(key, range);
    // pipeline closes the file when the browser cancels (a rater skipping ahead, a preload
    // dropped), so descriptors are not left for the garbage collector.
    pipeline(stream, res, () => undefined);
  });

  // A path that does not even decode (`%E0%A4%A`) is one more key no run names.
  r.use('/videos', ((err, _req, _res, next) => {
    next(err instanceof URIError ? new NotFound('no such video') : err);
  }) as ErrorRequestHandler);

  return r;
}
