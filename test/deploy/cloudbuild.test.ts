import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { SETTINGS } from '../../server/src/config';
import { REPO } from '../helpers/tmp';

interface Step {
  id: string;
  name: string;
  entrypoint?: string;
  args?: string[];
  waitFor?: string[];
}
interface CloudBuild {
  substitutions: Record<string, string>;
  steps: Step[];
  images?: string[];
  options?: Record<string, unknown>;
}

const text = fs.readFileSync(path.join(REPO, 'cloudbuild.yaml'), 'utf8');
const build = parse(text) as CloudBuild;
// Cloud Build's own substitutions (https://cloud.google.com/build/docs/configuring-builds/substitute-variable-values).
const BUILT_IN = ['PROJECT_ID', 'PROJECT_NUMBER', 'BUILD_ID', 'LOCATION', 'COMMIT_SHA', 'SHORT_SHA'];

/** What Cloud Build runs: `$NAME` and `${NAME}` replaced, `$$` left as one `$`. */
function substitute(s: string, vars: Record<string, string>): string {
  return s.replace(/\$\$|\$\{(\w+)\}|\$(\w+)/g, (all, braced?: string, bare?: string) => {
    if (all === '$$') return '$';
    const name = (braced ?? bare)!;
    if (!(name in vars)) throw new Error(`unknown substitution ${all}`);
    return vars[name]!;
  });
}

/** Every string value in the parsed file (where Cloud Build substitutes). */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

const VARS = { ...build.substitutions, PROJECT_ID: 'acme-rating', BUILD_ID: 'b-123', _BUCKET: 'acme-videos' };
const step = (id: string): Step => {
  const s = build.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return { ...s, args: (s.args ?? []).map((a) => substitute(a, VARS)) };
};
const IMAGE = 'us-central1-docker.pkg.dev/acme-rating/factory-task-scoring/factory-task-scoring:b-123';

describe('cloudbuild.yaml', () => {
  it('declares the substitutions it uses, and uses every one it declares', () => {
    const used = new Set(
      strings(build)
        .flatMap((s) => [...s.replace(/\$\$/g, '').matchAll(/\$\{(\w+)\}|\$(\w+)/g)])
        .map((m) => (m[1] ?? m[2])!),
    );
    const declared = Object.keys(build.substitutions);
    for (const name of declared) expect(name).toMatch(/^_[A-Z0-9_]+$/);
    expect([...used].filter((u) => !declared.includes(u) && !BUILT_IN.includes(u))).toEqual([]);
    expect(declared.filter((d) => !used.has(d))).toEqual([]);
    expect(declared).toEqual(expect.arrayContaining(['_REGION', '_SERVICE', '_BUCKET', '_SERVICE_ACCOUNT']));
    expect(used.has('PROJECT_ID')).toBe(true);
  });

  it('tests, then builds and pushes the image, then deploys it, in that order', () => {
    expect(build.steps.map((s) => s.id)).toEqual([
      'check-substitutions',
      'tools',
      'test',
      'image',
      'push',
      'deploy',
    ]);
    // No step runs early: without waitFor each step waits for all the previous ones.
    expect(build.steps.filter((s) => s.waitFor !== undefined)).toEqual([]);
  });

  it('refuses to start without a bucket', () => {
    const check = build.steps.find((s) => s.id === 'check-substitutions')!;
    const runWith = (bucket: string) =>
      spawnSync(
        check.entrypoint!,
        check.args!.map((a) => substitute(a, { ...VARS, _BUCKET: bucket })),
        {
          encoding: 'utf8',
        },
      );
    const missing = runWith('');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/_BUCKET=BUCKET/);
    expect(runWith('acme-videos').status).toBe(0);
  });

  it('runs lint and the whole test suite with the emulator and Chromium installed', () => {
    const tools = step('tools').args!.join(' ');
    expect(tools).toMatch(/GOBIN=(\S+) go install github.com\/fsouza\/fake-gcs-server@v1\.56\.1/);
    const gobin = /GOBIN=(\S+)/.exec(tools)![1]!;
    const script = step('test').args!.join('\n');
    expect(step('test').name).toMatch(/^node:20\.\d+\.\d+-bookworm$/);
    expect(script).toContain(`export PATH=${gobin}:$PATH`);
    expect(script).toMatch(/apt-get install .*chromium/);
    expect(script).toMatch(/python3-pandas/);
    const order = ['npm ci', 'npm run lint', 'npm test'].map((c) => script.indexOf(c));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(script).toMatch(/set -euo pipefail/);
  });

  it('builds and pushes one Artifact Registry image and deploys that image', () => {
    expect(step('image').args).toEqual(['build', '-t', IMAGE, '.']);
    expect(step('push').args).toEqual(['push', IMAGE]);
    expect(build.images!.map((i) => substitute(i, VARS))).toEqual([IMAGE]);
    expect(step('deploy').args).toContain(`--image=${IMAGE}`);
  });

  it('deploys with the bucket, the upload token from Secret Manager and the service account', () => {
    const deploy = step('deploy');
    expect(deploy.entrypoint).toBe('gcloud');
    expect(deploy.args!.slice(0, 3)).toEqual(['run', 'deploy', 'factory-task-scoring']);
    const flags: Record<string, string> = Object.fromEntries(
      deploy
        .args!.filter((a) => a.startsWith('--'))
        .map((a) => [a.split('=')[0]!, a.slice(a.indexOf('=') + 1)]),
    );
    expect(flags).toMatchObject({
      '--region': 'us-central1',
      '--service-account': 'scoring-app@acme-rating.iam.gserviceaccount.com',
      '--update-env-vars': 'STORAGE_URL=gs://acme-videos',
      '--update-secrets': 'UPLOAD_TOKEN=scoring-upload-token:latest',
    });
    expect(deploy.args).toContain('--allow-unauthenticated');
    // Every variable set is a real setting, and no secret travels as a plain variable.
    const envNames = flags['--update-env-vars']!.split(',').map((kv) => kv.split('=')[0]!);
    for (const name of envNames) expect(Object.keys(SETTINGS)).toContain(name);
    expect(envNames.filter((n) => /TOKEN|SECRET|CODE|KEY/.test(n))).toEqual([]);
  });
});
