import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { FileStore, LOCAL_BUCKET } from '@fts/shared/node';
import { loadDemo } from '../../server/src/demo';
import { testApp } from '../helpers/app';
import { CLI, EXAMPLES, tempDir } from '../helpers/tmp';

const exec = promisify(execFile);
const A = 'run_20261115_101500';
const B = 'run_20261116_093000';

describe('score-cli stats and compare', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let app: ReturnType<typeof testApp>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const store = new FileStore(dir, LOCAL_BUCKET);
    await loadDemo(store, EXAMPLES);
    app = testApp(store);
    let n = 0;
    for (const [k, rater] of ['ann', 'bob'].entries()) {
      for (const [i, item] of ['line3_cam01_clip0047', 'packing_cam04_clip0008'].entries()) {
        for (const [run, base] of [
          [A, 4],
          [B, 2],
        ] as const) {
          await request(app)
            .post('/scores')
            .send({
              submission_id: `sub-${String(++n).padStart(8, '0')}`,
              rater_id: rater,
              run_id: run,
              item_id: item,
              answers: { overall: base + ((i + k) % 2) },
            })
            .expect(201);
        }
      }
    }
  });
  afterAll(() => cleanup());

  it('prints the same JSON as GET /runs/:id/stats, read straight from the store', async () => {
    const { stdout } = await exec('node', [CLI, 'stats', A, '--from', `file://${dir}`, '--json']);
    const api = await request(app).get(`/runs/${A}/stats`).expect(200);
    expect(JSON.parse(stdout)).toEqual(api.body);
  });

  it('prints a readable summary with the interval and agreement', async () => {
    const { stdout } = await exec('node', [CLI, 'stats', A, '--from', `file://${dir}`]);
    expect(stdout).toContain(`${A}: 4 item(s), 4 rating(s) by 2 rater(s)`);
    expect(stdout).toMatch(/mean 4\.50 {2}95% CI \[\d\.\d\d, \d\.\d\d\] {2}median 4\.5/);
    expect(stdout).toContain("agreement (Krippendorff's alpha)");
    expect(stdout).toContain('on 2 item(s) rated by 2+ raters');
  });

  it('compares two runs, paired by video', async () => {
    const { stdout } = await exec('node', [CLI, 'compare', A, B, '--from', `file://${dir}`]);
    expect(stdout).toContain('design: paired by video (2 video(s) in both runs)');
    expect(stdout).toContain('difference A − B +2.00');
    expect(stdout).toContain('Wilcoxon signed-rank: W = 0.0, p = 0.500 (exact, n = 2)');
    expect(stdout).toContain('by video: A higher 2, tie 0, B higher 0');
    const json = await exec('node', [CLI, 'compare', A, B, '--from', `file://${dir}`, '--json']);
    const api = await request(app).get(`/compare?a=${A}&b=${B}`).expect(200);
    expect(JSON.parse(json.stdout)).toEqual(api.body);
  });

  it('fails with a clear message for an unknown run', async () => {
    await expect(exec('node', [CLI, 'stats', 'run_nope', '--from', `file://${dir}`])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: .*run_nope/),
    });
  });
});
