import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ConfigError, loadConfig, SETTINGS } from '../../server/src/config';
import { REPO } from '../helpers/tmp';

describe('loadConfig', () => {
  it('has a documented default for every setting, and the defaults are valid', () => {
    for (const s of Object.values(SETTINGS)) expect(s.doc.length).toBeGreaterThan(10);
    const c = loadConfig({});
    expect(c).toEqual(
      expect.objectContaining({
        port: 8080,
        storageUrl: 'file://./data',
        upload: { maxFiles: 5000, maxFileBytes: 64 * 1024 * 1024, maxTotalBytes: 128 * 1024 * 1024 },
        rateLimit: { windowMs: 60000, writes: 300 },
        videoPrefixes: [],
        signedUrlTtlSeconds: 900,
        logRequests: true,
      }),
    );
    expect(c.uploadToken).toBeUndefined();
  });

  it('reads every setting', () => {
    const c = loadConfig({
      UPLOAD_TOKEN: 'a-long-enough-token-123',
      VIDEO_PREFIXES: 'gs://bucket-a/videos/, gs://bucket-b/clips/2026/',
      RATE_LIMIT_WRITES: '0',
      LOG_REQUESTS: 'false',
      GOOGLE_CLOUD_PROJECT: 'my-project',
    });
    expect(c.uploadToken).toBe('a-long-enough-token-123');
    expect(c.videoPrefixes).toEqual(['gs://bucket-a/videos/', 'gs://bucket-b/clips/2026/']);
    expect(c.rateLimit.writes).toBe(0);
    expect(c.logRequests).toBe(false);
    expect(c.project).toBe('my-project');
  });

  it('lists every problem at once, never echoing the token', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        UPLOAD_TOKEN: 'short secret',
        VIDEO_PREFIXES: 'gs://bucket-a',
        RATE_LIMIT_WRITES: '-1',
        LOG_REQUESTS: 'yes',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split('=')[0])).toEqual([
      'PORT',
      'UPLOAD_TOKEN',
      'RATE_LIMIT_WRITES',
      'VIDEO_PREFIXES',
      'LOG_REQUESTS',
    ]);
    expect(problems.join('\n')).not.toContain('short secret');
  });

  it.each([
    ['VIDEO_PREFIXES', 'gs://bucket-a/../scores/'],
    ['VIDEO_PREFIXES', 'https://example.com/videos/'],
    ['SIGNED_URL_TTL_SECONDS', '5'],
    ['SIGNED_URL_ORIGIN', 'storage.googleapis.com'],
    ['JSON_BODY_LIMIT_BYTES', '10'],
    ['UPLOAD_MAX_FILES', '0'],
    ['TRUST_PROXY_HOPS', 'true'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^invalid configuration:\\n  - ${name}=`));
  });
});

describe('server start-up', () => {
  it('exits non-zero listing every bad setting, before listening', async () => {
    const main = path.join(REPO, 'server/dist/main.js');
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH, PORT: '99999', STORAGE_URL: 'ftp://nowhere', LOG_REQUESTS: 'sometimes' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr).toMatch(/invalid configuration/);
    expect(stderr).toMatch(/PORT="99999"/);
    expect(stderr).toMatch(/STORAGE_URL="ftp:\/\/nowhere"/);
    expect(stderr).toMatch(/LOG_REQUESTS="sometimes"/);
    expect(stdout).not.toMatch(/http:\/\/localhost/);
  });
});
