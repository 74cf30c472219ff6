/**
 * Signed read URLs, cached per object so a rater's replays and prefetches reuse one URL
 * (and the browser its cache). A URL is handed out only during the first half of its life,
 * so whoever gets it has at least half the TTL left to start playing.
 */
export class SignedUrlCache {
  private entries = new Map<string, { url: string; signedAt: number }>();

  constructor(
    private readonly ttlSeconds: number,
    /** Milliseconds since the epoch; tests pass a controllable clock. */
    private readonly now: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  /** A URL for `uri`, from the cache or from `sign(ttlSeconds)`; with its remaining reuse time. */
  async get(
    uri: string,
    sign: (ttlSeconds: number) => Promise<string>,
  ): Promise<{ url: string; reuseSeconds: number }> {
    const halfLifeMs = (this.ttlSeconds * 1000) / 2;
    const hit = this.entries.get(uri);
    const t = this.now();
    if (hit && t - hit.signedAt < halfLifeMs) {
      return { url: hit.url, reuseSeconds: Math.floor((hit.signedAt + halfLifeMs - t) / 1000) };
    }
    const url = await sign(this.ttlSeconds);
    this.entries.delete(uri);
    this.entries.set(uri, { url, signedAt: t });
    // Oldest first in insertion order: drop from the front.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return { url, reuseSeconds: Math.floor(halfLifeMs / 1000) };
  }
}
