import type { Request, RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from './config';
import { sendError } from './errors';

/** Cookie that carries the code's hash, so `<video>` requests (which cannot send headers) pass. */
export const ACCESS_COOKIE = 'fts_access';
/** Routes behind the code; the app's own files, `/healthz` and `/openapi.json` stay open. */
const GATED = /^\/(runs|scores|videos|compare)(\/|\.csv|$)/;

// Both sides are hashed before `timingSafeEqual`, so their lengths never differ.
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
const same = timingSafeEqual;

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * The optional shared access code (`ACCESS_CODE`). When set, API routes answer 401
 * `access_code_required` unless the request carries the code in `X-Access-Code`, the cookie
 * set after such a request, or the upload token (so `score-cli upload --server` needs no code).
 */
export function accessGate(config: Config): RequestHandler {
  const code = config.accessCode;
  if (!code) return (_req, _res, next) => next();
  const want = digest(code);
  const token = config.uploadToken ? digest(config.uploadToken) : undefined;
  return (req, res, next) => {
    if (!GATED.test(req.path)) return next();
    const given = req.get('x-access-code');
    if (given !== undefined && same(digest(given), want)) {
      res.cookie(ACCESS_COOKIE, want.toString('hex'), {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.secure,
        path: '/',
        maxAge: 30 * 24 * 3600 * 1000,
      });
      return next();
    }
    const cookie = cookieOf(req, ACCESS_COOKIE);
    if (cookie && /^[0-9a-f]{64}$/.test(cookie) && same(Buffer.from(cookie, 'hex'), want)) return next();
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (token && bearer !== undefined && same(digest(bearer), token)) return next();
    sendError(res, 401, {
      error: given === undefined ? 'access_code_required' : 'access_code_wrong',
      message:
        given === undefined
          ? 'this server needs the raters’ access code: send it in the X-Access-Code header'
          : 'that access code is not right',
    });
  };
}
