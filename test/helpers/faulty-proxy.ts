import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does to one request instead of passing it on:
 * - `status` answers with that HTTP status (429, 503, …) and never forwards the request;
 * - `reset` drops the connection before forwarding;
 * - `lose-response` forwards the request, lets the upstream apply it, then drops the
 *   connection instead of answering, so the caller cannot know it succeeded;
 * - `truncate` passes on the upstream's headers and the first bytes of its body, then drops
 *   the connection.
 */
export type Fault = { status: number } | 'reset' | 'lose-response' | 'truncate';

export interface SeenRequest {
  method: string;
  url: string;
  fault?: Fault;
  /** The upstream's status, for a request that was forwarded (also when its answer was then lost). */
  status?: number;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of `upstream` that injects queued faults into the
 * requests a predicate picks, and records every request it sees.
 */
export interface FaultyProxy {
  readonly url: string;
  readonly seen: SeenRequest[];
  /** Queue faults for the next requests that `match` picks, one fault per request. */
  inject(match: (req: { method: string; url: string }) => boolean, ...faults: Fault[]): void;
  /**
   * From now on, fail a `share` (0 to 1) of the requests that no queued fault picks, each
   * with one of `faults` chosen at random; `share` 0 turns this off. `random` (default
   * `Math.random`) lets a test seed the choice.
   */
  chaos(share: number, faults: Fault[], random?: () => number): void;
  /** Requests seen whose method and URL match. */
  count(method: string, urlPart: string): number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startFaultyProxy(upstream: string): Promise<FaultyProxy> {
  const target = new URL(upstream);
  const seen: SeenRequest[] = [];
  let rules: { match: (req: { method: string; url: string }) => boolean; faults: Fault[] }[] = [];
  let random: { share: number; faults: Fault[]; next: () => number } | undefined;
  const pick = (): Fault | undefined => {
    if (!random || random.next() >= random.share) return undefined;
    return random.faults[Math.floor(random.next() * random.faults.length)];
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const rule = rules.find((r) => r.faults.length > 0 && r.match({ method, url }));
    const fault = rule ? rule.faults.shift() : pick();
    const record: SeenRequest = { method, url, ...(fault ? { fault } : {}) };
    seen.push(record);
    if (fault && typeof fault === 'object') {
      req.resume();
      req.on('end', () => {
        res.writeHead(fault.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: fault.status, message: 'injected by the test proxy' } }));
      });
      return;
    }
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    const up = http.request(
      { host: target.hostname, port: target.port, method, path: url, headers: req.headers },
      (upRes) => {
        record.status = upRes.statusCode;
        if (fault === 'lose-response') {
          upRes.resume();
          upRes.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        if (fault === 'truncate') {
          upRes.once('data', (chunk: Buffer) => {
            res.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)), () => req.socket.destroy());
            upRes.destroy();
          });
          return;
        }
        upRes.pipe(res);
      },
    );
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    inject(match, ...faults) {
      rules.push({ match, faults });
    },
    chaos(share, faults, next = Math.random) {
      random = share > 0 && faults.length > 0 ? { share, faults, next } : undefined;
    },
    count: (method, urlPart) => seen.filter((s) => s.method === method && s.url.includes(urlPart)).length,
    reset() {
      seen.length = 0;
      rules = [];
      random = undefined;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
