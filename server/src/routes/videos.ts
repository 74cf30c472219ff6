import { Router } from 'express';
import { NotFound } from '@fts/shared';
import { contentTypeFor, type ObjectStore } from '@fts/shared/node';
import type { AppContext } from '../context';

/** `gs://bucket/key` of every video a listed run references. */
async function referencedVideos(ctx: AppContext): Promise<Set<string>> {
  const ids = await ctx.catalog.runIds();
  const runs = await Promise.all(ids.map((id) => ctx.catalog.get(id).catch(() => undefined)));
  return new Set(runs.flatMap((r) => r?.items.map((i) => i.videoUri) ?? []));
}

export function videosRouter(ctx: AppContext): Router {
  const r = Router();

  // Express decodes each segment once; the joined key is compared with what runs reference,
  // so traversal or double-encoding can only produce a key no run names: 404.
  r.get('/videos/:bucket/*key', async (req, res) => {
    const bucket = req.params.bucket;
    const key = (req.params.key as unknown as string[]).join('/');
    const uri = `gs://${bucket}/${key}`;
    if (!(await referencedVideos(ctx)).has(uri)) throw new NotFound(`no video ${uri} in any run`);
    const store: ObjectStore = bucket === ctx.store.bucketName ? ctx.store : ctx.store.bucket(bucket);
    if (store.signedReadUrl) {
      res.redirect(302, await store.signedReadUrl(key, 15 * 60));
      return;
    }
    const info = await store.stat(key);
    if (!info) throw new NotFound(`video not found: ${uri}`);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', contentTypeFor(key));
    res.setHeader('Cache-Control', 'private, max-age=300');
    const ranges = req.headers.range ? req.range(info.size, { combine: true }) : undefined;
    if (ranges === -1) {
      res.status(416).setHeader('Content-Range', `bytes */${info.size}`);
      res.json({ error: 'range_not_satisfiable', message: `range outside 0-${info.size - 1}` });
      return;
    }
    // Several ranges are answered with the whole body (RFC 7233 allows ignoring Range).
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
    stream.on('error', (e) => res.destroy(e));
    stream.pipe(res);
  });

  return r;
}
