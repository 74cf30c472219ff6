import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import pino, { type Logger } from 'pino';

/** Where log lines go: anything with `write(line)`; stdout by default. */
export interface LogDestination {
  write(line: string): void;
}

/** Cloud Logging's severities for pino's levels (LogEntry.severity). */
const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/**
 * A JSON logger in the shape Cloud Logging reads from stdout: `severity`, `message`, `time`
 * (https://cloud.google.com/logging/docs/structured-logging). Disabled, it writes nothing.
 */
export function createLogger(enabled: boolean, destination?: LogDestination): Logger {
  return pino(
    {
      enabled,
      base: undefined,
      messageKey: 'message',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }) },
    },
    destination ?? // Synchronous, so no line is lost when the process exits (Cloud Run reads stdout).
      pino.destination({ dest: 1, sync: true }),
  );
}

/** Incoming request IDs are echoed only if they look like IDs, so logs cannot be forged. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Take the caller's X-Request-Id (or make one), echo it and keep it in `res.locals.requestId`. */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  const id = given && REQUEST_ID.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
};

/** `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1` as Cloud Logging's trace fields. */
function traceFields(header: string | undefined, project: string | undefined): Record<string, string> {
  const m = header ? /^([0-9a-fA-F]{32})(?:\/(\d+))?/.exec(header) : null;
  if (!m?.[1]) return {};
  return {
    'logging.googleapis.com/trace': project ? `projects/${project}/traces/${m[1]}` : m[1],
    ...(m[2] ? { 'logging.googleapis.com/spanId': m[2] } : {}),
  };
}

/**
 * One line per request with Cloud Logging's `httpRequest` (LogEntry.HttpRequest): method,
 * URL, status, latency as a Duration string ("0.012s"), response size, user agent, address.
 */
export function requestLogger(log: Logger, project: string | undefined): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let bytes = 0;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => unknown;
    const count = (chunk: unknown, encoding: unknown): void => {
      if (typeof chunk === 'string')
        bytes += Buffer.byteLength(
          chunk,
          typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
        );
      else if (chunk instanceof Uint8Array) bytes += chunk.byteLength;
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      count(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') count(chunk, rest[0]);
      return end(chunk, ...rest);
    }) as typeof res.end;

    let logged = false;
    const done = (): void => {
      if (logged) return;
      logged = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.headersSent ? res.statusCode : 499;
      const entry = {
        httpRequest: {
          requestMethod: req.method,
          requestUrl: req.originalUrl,
          status,
          latency: `${seconds.toFixed(6)}s`,
          responseSize: String(bytes),
          ...(req.get('user-agent') ? { userAgent: req.get('user-agent') } : {}),
          ...(req.ip ? { remoteIp: req.ip } : {}),
        },
        requestId: res.locals.requestId as string | undefined,
        ...traceFields(req.get('x-cloud-trace-context'), project),
      };
      const message = `${req.method} ${req.originalUrl} ${status}`;
      if (status >= 500) log.error(entry, message);
      else if (status >= 400) log.warn(entry, message);
      else log.info(entry, message);
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
