/**
 * convert's requests to object storage (`objectStorage` in its result, `--json` and convert-run/
 * run.json), as speedtest reports its own: GET / PUT / LIST / HEAD / DELETE counts, retries and
 * failures, GET time to first byte, and their cost at S3 Standard's stated prices (convert has no
 * price option: its requests are mostly the reads of the images, the same on every provider).
 * Workers count their own thread's requests and return them with each partition; the driver's
 * requests (listing, lock, part records, manifest) are the change of its thread's counts.
 */
import { DEFAULT_REQUEST_PRICES } from '../options/storage.js';
import { requestCost, RequestStats, threadRequestStats, type ObjectStorageFigures, type RequestCounts, type RequestStatsData } from './request-stats.js';

/** speedtest's figures, the same fields. */
export type ConvertRequestFigures = ObjectStorageFigures;

/** Where this thread's counts stand: `since` gives the requests made after it. */
export function requestMark(): RequestStatsData {
  return threadRequestStats.snapshot();
}

/** This thread's requests since `mark` (its TTFB samples too, while the reservoir is not full). */
export function requestsSince(mark: RequestStatsData): RequestStatsData {
  const now = threadRequestStats.snapshot();
  const counts = { ...now.counts };
  for (const key of Object.keys(counts) as (keyof RequestCounts)[]) counts[key] = Math.max(0, counts[key] - mark.counts[key]);
  return { counts, ttfb: now.ttfb.slice(mark.ttfb.length) };
}

/** The figures of several threads' requests, or undefined when none was made (a local convert). */
export function requestFigures(parts: readonly (RequestStatsData | undefined)[]): ConvertRequestFigures | undefined {
  const all = new RequestStats();
  for (const p of parts) all.merge(p);
  return all.empty ? undefined : { ...all.summary(), cost: requestCost(all.counts, DEFAULT_REQUEST_PRICES) };
}

/** `figures` with more requests counted (a bucket convert's lock, listing and publishing around the run); TTFB stays the run's. */
export function addRequestCounts(figures: ConvertRequestFigures | undefined, more: RequestStatsData): ConvertRequestFigures | undefined {
  const extra = requestFigures([more]);
  if (!figures || !extra) return figures ?? extra;
  const counts = { ...figures } as ConvertRequestFigures;
  for (const key of ['get', 'put', 'list', 'delete', 'head', 'retries', 'failed'] as const) counts[key] = figures[key] + extra[key];
  return { ...counts, cost: requestCost(counts, DEFAULT_REQUEST_PRICES) };
}

/** The sum over splits (counts and cost; TTFB of the slowest split). */
export function sumRequestFigures(all: readonly (ConvertRequestFigures | undefined)[]): ConvertRequestFigures | undefined {
  let sum: ConvertRequestFigures | undefined;
  for (const f of all) {
    if (!f) continue;
    if (!sum) {
      sum = { ...f };
      continue;
    }
    for (const key of ['get', 'put', 'list', 'delete', 'head', 'retries', 'failed', 'ttfb_samples'] as const) sum[key] += f[key];
    sum.ttfb_p50_ms = Math.max(sum.ttfb_p50_ms ?? 0, f.ttfb_p50_ms ?? 0) || null;
    sum.ttfb_p99_ms = Math.max(sum.ttfb_p99_ms ?? 0, f.ttfb_p99_ms ?? 0) || null;
    sum.cost = requestCost(sum, DEFAULT_REQUEST_PRICES);
  }
  return sum;
}
