/**
 * Requests made to object storage, by kind, with retries and time-to-first-byte samples: what a
 * run on a bucket costs (requests are billed per 1,000) and why it is slow (per-request latency).
 */
export type RequestKind = 'get' | 'put' | 'list' | 'delete' | 'head';

export interface RequestCounts {
  get: number;
  put: number;
  list: number;
  delete: number;
  head: number;
  /** Attempts that failed with a retryable error (503 SlowDown, 5xx, reset) and were made again. */
  retries: number;
  /** Requests that failed for good (after their retries). */
  failed: number;
}

export interface RequestSummary extends RequestCounts {
  /** Time to first byte of GETs, milliseconds (null without GETs). */
  ttfb_p50_ms: number | null;
  ttfb_p99_ms: number | null;
  ttfb_samples: number;
}

/** Samples kept for the percentiles: a reservoir, so memory stays bounded on a long run. */
const MAX_SAMPLES = 100_000;

export class RequestStats {
  readonly counts: RequestCounts = { get: 0, put: 0, list: 0, delete: 0, head: 0, retries: 0, failed: 0 };
  private readonly ttfb: number[] = [];
  private seen = 0;

  count(kind: RequestKind): void {
    this.counts[kind]++;
  }

  /** Time from sending a GET to its response headers, ms. */
  sampleTtfb(ms: number): void {
    this.seen++;
    if (this.ttfb.length < MAX_SAMPLES) this.ttfb.push(ms);
    else {
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < MAX_SAMPLES) this.ttfb[slot] = ms;
    }
  }

  reset(): void {
    for (const key of Object.keys(this.counts) as (keyof RequestCounts)[]) this.counts[key] = 0;
    this.ttfb.length = 0;
    this.seen = 0;
  }

  /** True when no request was made. */
  get empty(): boolean {
    return Object.values(this.counts).every((n) => n === 0);
  }

  /** Plain data (crosses threads and Redis): counts and raw samples. */
  snapshot(): RequestStatsData {
    return { counts: { ...this.counts }, ttfb: [...this.ttfb] };
  }

  /** Adds another thread's or host's figures. */
  merge(data: RequestStatsData | undefined): void {
    if (!data) return;
    for (const key of Object.keys(this.counts) as (keyof RequestCounts)[]) this.counts[key] += data.counts[key] ?? 0;
    for (const ms of data.ttfb) this.sampleTtfb(ms);
  }

  summary(): RequestSummary {
    const sorted = [...this.ttfb].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]) : null);
    return { ...this.counts, ttfb_p50_ms: at(0.5), ttfb_p99_ms: at(0.99), ttfb_samples: sorted.length };
  }
}

export interface RequestStatsData {
  counts: RequestCounts;
  ttfb: number[];
}

const round = (ms: number) => Math.round(ms * 100) / 100;


export interface RequestPrices {
  get: number;
  put: number;
  list: number;
}

/** Dollars for the requests counted: GET and HEAD at the GET price, PUT and LIST at theirs, DELETE free (as on S3). */
export function requestCost(counts: RequestCounts, prices: RequestPrices): { dollars: number; prices_per_1000: RequestPrices } {
  const dollars = ((counts.get + counts.head) * prices.get + counts.put * prices.put + counts.list * prices.list) / 1000;
  return { dollars, prices_per_1000: prices };
}

/** A run's requests to s3:// / gs:// and their cost, as run.json holds them. */
export type ObjectStorageFigures = RequestSummary & { cost: ReturnType<typeof requestCost> };

/**
 * This thread's requests, all buckets together: commands and workers read and reset them. Here,
 * not in object-store.ts, so that counting (src/storage/request-figures.ts) loads no AWS SDK.
 */
export const threadRequestStats = new RequestStats();
