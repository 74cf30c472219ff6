import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, tempDir } from '../helpers/tmp';
import { buildContext, contextFilesFor, parseCopy, parseDockerfile, parseEnv } from './dockerfile';
import { reproduceImage } from './reproduce';

const dockerfile = parseDockerfile(fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8'));
const runtime = dockerfile.stages[dockerfile.stages.length - 1]!;
const steps = (stage = runtime, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** Write `files` (path → content) under `dir`. */
function plant(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
}

describe('Dockerfile', () => {
  it('builds in one stage and runs from a second, both on a pinned slim Node 20', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    for (const stage of dockerfile.stages) {
      expect(stage.image).toMatch(/^node:20\.\d+\.\d+-(bookworm-)?slim(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it('copies only files that exist in the build context', () => {
    const context = buildContext(REPO);
    for (const stage of dockerfile.stages) {
      for (const copy of steps(stage, 'COPY').map(parseCopy)) {
        if (copy.from !== undefined) {
          expect(dockerfile.stages.map((s) => s.name)).toContain(copy.from);
          continue;
        }
        for (const source of copy.sources) {
          expect({ source, files: contextFilesFor(context, source).length > 0 }).toEqual({
            source,
            files: true,
          });
          expect(fs.existsSync(path.join(REPO, source))).toBe(true);
        }
      }
    }
  });

  it('ships the built server, client and shared package, and the examples, from the runtime stage', () => {
    const copies = steps(runtime, 'COPY').map(parseCopy);
    const fromBuild = copies.filter((c) => c.from === 'build').flatMap((c) => c.sources);
    expect(fromBuild.sort()).toEqual(['/app/client/dist', '/app/server/dist', '/app/shared/dist']);
    const fromContext = copies.filter((c) => c.from === undefined).flatMap((c) => c.sources);
    expect(
      fromContext.filter((s) => !s.endsWith('package.json') && !s.endsWith('package-lock.json')),
    ).toEqual(['examples']);
    expect(steps(runtime, 'RUN').join(' ')).toMatch(/npm ci --omit=dev --workspace server/);
  });

  it('runs server/dist/main.js as a non-root user on $PORT', () => {
    expect(JSON.parse(steps(runtime, 'CMD')[0]!)).toEqual(['node', 'server/dist/main.js']);
    expect(fs.existsSync(path.join(REPO, 'server/src/main.ts'))).toBe(true);
    const user = steps(runtime, 'USER')[0];
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(Object.assign({}, ...steps(runtime, 'ENV').map(parseEnv))).toMatchObject({ PORT: '8080' });
  });

  it('bakes in no secret and no storage location', () => {
    const env = Object.assign({}, ...dockerfile.stages.flatMap((s) => steps(s, 'ENV').map(parseEnv)));
    const names = [...Object.keys(env), ...Object.keys(dockerfile.args)];
    expect(
      names.filter((n) => /TOKEN|SECRET|PASSWORD|KEY|CREDENTIAL|ACCESS_CODE|STORAGE_URL/i.test(n)),
    ).toEqual([]);
  });
});

describe('.dockerignore', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('fts-context-'));
    fs.copyFileSync(path.join(REPO, '.dockerignore'), path.join(dir, '.dockerignore'));
    plant(dir, {
      'package.json': '{}',
      'server/src/main.ts': '',
      'client/index.html': '',
      'examples/runs/r/a.json': '{}',
      // Everything below must stay out of the context.
      'data/local/scores/scores.csv': 'submission_id\n',
      'node_modules/express/index.js': '',
      'server/node_modules/x/index.js': '',
      'server/dist/main.js': '',
      'shared/tsconfig.tsbuildinfo': '',
      'test/e2e/a.test.ts': '',
      '.ci/run': '',
      '.git': 'gitdir: elsewhere',
      '.env': 'UPLOAD_TOKEN=secret',
      'server/.env.production': 'UPLOAD_TOKEN=secret',
      'gcp-key.json': '{}',
      'service-account.json': '{}',
      'server/service-account-prod.json': '{}',
      'tls.pem': '',
      'client/src/tls.key': '',
      '.npmrc': '//registry.npmjs.org/:_authToken=secret',
    });
  });
  afterAll(() => cleanup());

  it('keeps the sources and the examples', () => {
    const context = buildContext(dir);
    expect([...context].sort()).toEqual(
      ['client/index.html', 'examples/runs/r/a.json', 'package.json', 'server/src/main.ts'].sort(),
    );
  });

  it('keeps every file the real build needs', () => {
    const context = buildContext(REPO);
    for (const f of [
      'package-lock.json',
      'tsconfig.base.json',
      'client/vite.config.ts',
      'shared/src/index.ts',
    ]) {
      expect(context.has(f)).toBe(true);
    }
    expect([...context].filter((f) => /(^|\/)(node_modules|dist|data|test)\//.test(f))).toEqual([]);
  });
});

describe('the reproduction', () => {
  it('refuses a RUN step it cannot reproduce faithfully', async () => {
    const { dir, cleanup } = await tempDir('fts-context-');
    try {
      plant(dir, {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim AS only\nWORKDIR /app\nRUN mkdir -p x && curl -o x/y https://example.com\n',
        '.dockerignore': '',
      });
      await expect(reproduceImage({ context: dir, out: path.join(dir, 'out') })).rejects.toThrow(
        /line 3 .*"curl -o x\/y https:\/\/example.com" is not supported/,
      );
    } finally {
      await cleanup();
    }
  });

  it('refuses a COPY of something the context does not hold', async () => {
    const { dir, cleanup } = await tempDir('fts-context-');
    try {
      plant(dir, {
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nCOPY data data\n',
        '.dockerignore': 'data\n',
      });
      plant(dir, { 'data/scores.csv': 'x' });
      await expect(reproduceImage({ context: dir, out: path.join(dir, 'out') })).rejects.toThrow(
        /data is not in the build context/,
      );
    } finally {
      await cleanup();
    }
  });

  it('joins continuation lines and expands ARGs', () => {
    const parsed = parseDockerfile(
      'ARG BASE=node:20.20.2-bookworm-slim\n# c\nFROM ${BASE} AS a\nRUN npm ci \\\n  --omit=dev\n',
    );
    expect(parsed.stages).toEqual([
      {
        name: 'a',
        image: 'node:20.20.2-bookworm-slim',
        instructions: [{ keyword: 'RUN', args: 'npm ci    --omit=dev', line: 4 }],
      },
    ]);
  });
});
