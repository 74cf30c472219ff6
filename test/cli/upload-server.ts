import express from 'express';
import multer from 'multer';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { AppError, Conflict, type FileProblem } from '@fts/shared';
import { checkRunFile, publishRun, type ObjectStore, type RunUploadFile } from '@fts/shared/node';
import { testApp } from '../helpers/app';

/**
 * The app with the upload contract the CLI speaks, in a few lines: `POST /runs`
 * (multipart: `run_id`, optional `replace=1`, `files` parts named by their path in the run,
 * bearer token) in front of the real app, which answers `GET /runs` and `GET /scores.csv`.
 */
export async function startUploadServer(
  store: ObjectStore,
  token: string,
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const app = testApp(store);
  const outer = express();
  const requests: string[] = [];
  outer.use((req, _res, next) => {
    requests.push(`${req.method} ${req.url}`);
    next();
  });
  // preservePath keeps "sub/dir/a.json" instead of cutting it to "a.json".
  const upload = multer({ storage: multer.memoryStorage(), preservePath: true });
  outer.post(
    '/runs',
    (req, res, next) => {
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.status(401).json({ error: 'unauthorized', message: 'wrong or missing upload token' });
        return;
      }
      next();
    },
    upload.array('files'),
    async (req, res) => {
      const runId = String(req.body.run_id ?? '');
      const parts = (req.files ?? []) as Express.Multer.File[];
      const problems: FileProblem[] = [];
      const files: RunUploadFile[] = [];
      let itemCount = 0;
      for (const part of parts) {
        // checkRunFile is shared's parseRunFile plus size and MD5: the CLI's own check.
        const checked = checkRunFile(part.originalname, part.buffer);
        problems.push(...checked.problems);
        const { file } = checked;
        if (!file) continue;
        itemCount += file.itemCount;
        files.push({ ...file, read: async () => part.buffer });
      }
      if (problems.length || itemCount === 0) {
        res.status(400).json({ error: 'invalid', message: `${problems.length} problem(s)`, problems });
        return;
      }
      try {
        await publishRun(
          store,
          { runId, files, skipped: [], itemCount, uploadedBy: 'test server' },
          { replace: req.body.replace === '1' },
        );
        app.context.catalog.invalidate(runId);
        res.status(201).json({ runId, itemCount, files: files.length, skipped: [] });
      } catch (e) {
        const status = e instanceof Conflict ? 409 : e instanceof AppError ? e.status : 500;
        res.status(status).json({ error: 'failed', message: (e as Error).message });
      }
    },
  );
  outer.use(app);
  const server: Server = await new Promise((resolve) => {
    const s = outer.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
