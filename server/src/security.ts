import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import type { Config } from './config';
import { sendError } from './errors';

/**
 * Security headers, with a content security policy allowing exactly what the rater app
 * loads: its own scripts, styles and API (`'self'`), and videos from the app or from the
 * host signed URLs point at. Everything else, including inline script and framing, is off.
 */
export function securityHeaders(config: Config): RequestHandler {
  return helmet({
    // Same as frame-ancestors 'none', for browsers that only know the older header.
    frameguard: { action: 'deny' },
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'", config.signedUrlOrigin],
        manifestSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
  });
}

/**
 * Limit on writes per client address per window (`RATE_LIMIT_WRITES`); over it, 429 with
 * `RateLimit` and `Retry-After` headers. Each app has its own counters.
 */
export function writeLimit(config: Config): RequestHandler {
  if (config.rateLimit.writes === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: config.rateLimit.windowMs,
    limit: config.rateLimit.writes,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => {
      sendError(res, 429, {
        error: 'rate_limited',
        message: `too many writes: at most ${config.rateLimit.writes} per ${config.rateLimit.windowMs / 1000} s`,
      });
    },
  });
}
