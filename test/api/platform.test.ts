import request from 'supertest';
import type { Express } from 'express';
import type { FileStore, ObjectStore } from '@fts/shared/node';
import { testApp } from '../helpers/app';
import { demoStore, RUN, submission } from './fixture';

let store: FileStore;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ store, cleanup } = await demoStore());
});
afterAll(() => cleanup());

/** Collects log lines, parsed. */
function logSink(): { lines: Record<string, unknown>[]; write(line: string): void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) };
}

/** Wait until `check` holds: the request log is written when the response finishes. */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('security headers', () => {
  it('sends a content security policy allowing only the app and the signed-URL host for media', async () => {
    const res = await request(testApp(store)).get('/healthz').expect(200);
    const csp = String(res.headers['content-security-policy']);
    const directives = Object.fromEntries(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self'",
      'font-src': "'self'",
      'connect-src': "'self'",
      'media-src': "'self' https://storage.googleapis.com",
      'manifest-src': "'self'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
      'object-src': "'none'",
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('request IDs', () => {
  it('makes one, or echoes a well-formed one, in the header and in errors', async () => {
    const app = testApp(store);
    const made = await request(app).get('/runs/run_nope').expect(404);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.body.requestId).toBe(made.headers['x-request-id']);
    const given = await request(app).get('/runs/run_nope').set('X-Request-Id', 'req-123.abc').expect(404);
    expect(given.headers['x-request-id']).toBe('req-123.abc');
    expect(given.body).toEqual({ error: 'not_found', message: 'no run run_nope', requestId: 'req-123.abc' });
    const forged = await request(app).get('/healthz').set('X-Request-Id', 'a"b{c}').expect(200);
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('request logs', () => {
  it('writes one Cloud Logging line per request, with trace', async () => {
    const sink = logSink();
    const app = testApp(
      store,
      undefined,
      { LOG_REQUESTS: 'true', GOOGLE_CLOUD_PROJECT: 'my-project' },
      { logDestination: sink },
    );
    await request(app)
      .get('/runs?x=1')
      .set('User-Agent', 'test-agent')
      .set('X-Request-Id', 'log-1')
      .set('X-Cloud-Trace-Context', '0123456789abcdef0123456789abcdef/42;o=1')
      .expect(200);
    await request(app).get('/nowhere').expect(404);
    await eventually(() => sink.lines.length >= 2);
    expect(sink.lines).toHaveLength(2);
    const [ok, missing] = sink.lines;
    expect(ok).toEqual({
      severity: 'INFO',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      message: 'GET /runs?x=1 200',
      requestId: 'log-1',
      httpRequest: {
        requestMethod: 'GET',
        requestUrl: '/runs?x=1',
        status: 200,
        latency: expect.stringMatching(/^\d+\.\d{6}s$/),
        responseSize: expect.stringMatching(/^[1-9]\d*$/),
        userAgent: 'test-agent',
        remoteIp: expect.any(String),
      },
      'logging.googleapis.com/trace': 'projects/my-project/traces/0123456789abcdef0123456789abcdef',
      'logging.googleapis.com/spanId': '42',
    });
    expect(missing).toEqual(expect.objectContaining({ severity: 'WARNING' }));
    expect(missing!['logging.googleapis.com/trace']).toBeUndefined();
  });

  it('counts the bytes of streamed responses', async () => {
    const sink = logSink();
    const app = testApp(store, undefined, { LOG_REQUESTS: 'true' }, { logDestination: sink });
    const res = await request(app).get('/scores.csv').expect(200);
    await eventually(() => sink.lines.length >= 1);
    const http = sink.lines[0]!.httpRequest as Record<string, unknown>;
    expect(http.responseSize).toBe(String(Buffer.byteLength(res.text)));
  });

  it('is silent when LOG_REQUESTS is false', async () => {
    const sink = logSink();
    const app = testApp(store, undefined, { LOG_REQUESTS: 'false' }, { logDestination: sink });
    await request(app).get('/runs').expect(200);
    await request(app).get('/nowhere').expect(404);
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.lines).toEqual([]);
  });
});

describe('errors', () => {
  it('hides unexpected errors behind a 500 and logs them with the request ID', async () => {
    const broken = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'list') return () => Promise.reject(new Error('bucket exploded at /secret/path'));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as ObjectStore;
    const sink = logSink();
    const app = testApp(broken, undefined, { LOG_REQUESTS: 'true' }, { logDestination: sink });
    const res = await request(app).get('/runs').set('X-Request-Id', 'boom-1').expect(500);
    expect(res.body).toEqual({
      error: 'internal',
      message: 'internal error; it has been logged',
      requestId: 'boom-1',
    });
    expect(res.text).not.toMatch(/exploded|secret|at /);
    await eventually(() => sink.lines.length >= 2);
    const logged = sink.lines.find((l) => l.message === 'unhandled error');
    expect(logged).toEqual(
      expect.objectContaining({
        severity: 'ERROR',
        requestId: 'boom-1',
        err: expect.stringMatching(/exploded/),
      }),
    );
  });

  it('answers a body over the limit with 413 JSON', async () => {
    const app = testApp(store, undefined, { JSON_BODY_LIMIT_BYTES: '2048' });
    const res = await request(app)
      .post('/scores')
      .send(submission({ comment: 'x'.repeat(3000) }))
      .expect(413);
    expect(res.body).toEqual(
      expect.objectContaining({ error: 'too_large', message: 'request body is too large' }),
    );
  });

  it('answers an unknown route with 404 JSON', async () => {
    const res = await request(testApp(store)).delete('/runs').expect(404);
    expect(res.body).toEqual(
      expect.objectContaining({ error: 'not_found', message: 'no route for DELETE /runs' }),
    );
  });
});

describe('rate limits', () => {
  it('limits writes per client with 429 and RateLimit headers, not reads', async () => {
    const app = testApp(store, undefined, { RATE_LIMIT_WRITES: '2' });
    await request(app).post('/scores').send(submission()).expect(201);
    await request(app)
      .post('/scores')
      .send(submission({ rater_id: 'x y' }))
      .expect(400);
    const limited = await request(app).post('/scores').send(submission()).expect(429);
    expect(limited.body).toEqual(expect.objectContaining({ error: 'rate_limited' }));
    expect(limited.headers['ratelimit-policy']).toBe('2;w=60');
    await request(app).post('/runs').expect(429);
    await request(app).get(`/runs/${RUN}/items`).expect(200);
    // Another client address has its own budget (one trusted proxy in front: X-Forwarded-For).
    await request(app).post('/scores').set('X-Forwarded-For', '203.0.113.9').send(submission()).expect(201);
  });
});

/** Every route the app really has, as `METHOD /openapi/{style}` strings. */
function expressRoutes(app: Express): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const out: string[] = [];
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        const p = layer.route.path.replace(/[:*](\w+)/g, '{$1}');
        for (const m of Object.keys(layer.route.methods))
          if (m !== '_all') out.push(`${m.toUpperCase()} ${p}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out.sort();
}

describe('GET /openapi.json', () => {
  it('documents exactly the routes the app has', async () => {
    const app = testApp(store);
    const doc = (await request(app).get('/openapi.json').expect(200)).body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const routes = expressRoutes(app);
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(documented).toEqual(routes);
  });

  it('is well formed: path parameters declared, responses present, every $ref resolves', async () => {
    const doc = (await request(testApp(store)).get('/openapi.json').expect(200)).body as {
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; in: string }[]; responses: object }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    for (const [p, ops] of Object.entries(doc.paths)) {
      const templated = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries(ops)) {
        const declared = (op.parameters ?? [])
          .filter((x) => x.in === 'path')
          .map((x) => x.name)
          .sort();
        expect({ op: `${method} ${p}`, params: declared }).toEqual({
          op: `${method} ${p}`,
          params: templated,
        });
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      }
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map(
      (m) => m[1]!,
    );
    expect(refs.length).toBeGreaterThan(5);
    for (const r of refs) expect(Object.keys(doc.components.schemas)).toContain(r);
  });
});
