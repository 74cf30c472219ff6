import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { FileStore, LOCAL_BUCKET } from '@fts/shared/node';
import { testApp } from '../helpers/app';
import { CLI, tempDir } from '../helpers/tmp';

const run = promisify(execFile);

/** File names a pipeline may well write: spaces, `~`, `#`, `?`, `%`, `+`, non-ASCII, depth. */
const ODD = ['a b', 'tilde~x', 'hash#1', 'q?x=1', '100%', 'plus+sign', 'ünïcødé 好', 'deep/er/päth#2'];

async function writeFolder(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, ...rel.split('/'));
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, text);
  }
}

describe('items with odd names, uploaded with the CLI and scored through the API', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: FileStore;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('fts-odd-'));
    store = new FileStore(path.join(dir, 'data'), LOCAL_BUCKET);
  });
  afterAll(() => cleanup());

  it('keeps every name as the item id, and each can be scored and exported', async () => {
    const folder = path.join(dir, 'run_odd_names');
    await writeFolder(
      folder,
      Object.fromEntries(
        ODD.map((n, i) => [`${n}.json`, JSON.stringify({ video_uri: `videos/v${i}.mp4`, output: n })]),
      ),
    );
    const { stdout } = await run('node', [CLI, 'upload', folder, '--to', `file://${path.join(dir, 'data')}`]);
    expect(stdout).toContain(`uploaded run_odd_names: ${ODD.length} item(s)`);

    const app = testApp(store);
    const items = await request(app).get('/runs/run_odd_names/items').expect(200);
    expect(items.body.map((i: { id: string }) => i.id).sort()).toEqual([...ODD].sort());
    for (const id of ODD) {
      const res = await request(app)
        .post('/scores')
        .send({
          submission_id: `odd-${ODD.indexOf(id)}-submission`,
          rater_id: 'odd',
          run_id: 'run_odd_names',
          item_id: id,
          answers: { overall: 3 },
        })
        .expect(201);
      expect(res.body.submission.item_id).toBe(id);
    }
    const csv = await request(app).get('/scores.csv?run=run_odd_names').expect(200);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.item_id).sort()).toEqual([...ODD].sort());
  });

  it('validate refuses a folder where two records get the same item id, and upload sends nothing', async () => {
    const folder = path.join(dir, 'run_clashing_ids');
    await writeFolder(folder, {
      'a.json': JSON.stringify({ video_uri: 'videos/a.mp4' }),
      'a.JSON': JSON.stringify({ video_uri: 'videos/b.mp4' }),
      'b~1.json': JSON.stringify({ video_uri: 'videos/c.mp4' }),
      'b.jsonl': JSON.stringify({ video_uri: 'videos/d.mp4' }) + '\n',
    });
    const validate = await run('node', [CLI, 'validate', folder]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((validate as { code: number }).code).toBe(1);
    expect((validate as { stderr: string }).stderr).toMatch(
      /a\.json: item id "a" is also given to a\.JSON|a\.JSON: item id "a" is also given to a\.json/,
    );
    expect((validate as { stderr: string }).stderr).toMatch(/item id "b~1" is also given to/);

    const upload = await run('node', [
      CLI,
      'upload',
      folder,
      '--to',
      `file://${path.join(dir, 'data')}`,
    ]).catch((e: { code: number }) => e);
    expect((upload as { code: number }).code).toBe(1);
    expect(await store.stat('inference_runs/run_clashing_ids/manifest.json')).toBeUndefined();

    // --skip-invalid leaves out the files whose records clash, as it does any bad file.
    const { stdout } = await run('node', [
      CLI,
      'upload',
      folder,
      '--to',
      `file://${path.join(dir, 'data')}`,
      '--skip-invalid',
    ]);
    expect(stdout).toContain('uploaded run_clashing_ids: 2 item(s), 2 file(s)');
    const items = await request(testApp(store)).get('/runs/run_clashing_ids/items').expect(200);
    const ids = items.body.map((i: { id: string }) => i.id);
    expect(ids.sort()).toEqual(['a', 'b~1']);
  });

  it('validate refuses a file name with a bidirectional override', async () => {
    const folder = path.join(dir, 'run_bidi_name');
    await writeFolder(folder, { 'clip\u202egnp.json': JSON.stringify({ video_uri: 'videos/a.mp4' }) });
    const validate = await run('node', [CLI, 'validate', folder]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((validate as { code: number }).code).toBe(1);
    expect((validate as { stderr: string }).stderr).toMatch(/bidirectional control/);
  });
});
