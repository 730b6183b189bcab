/**
 * The summary's object-storage section, for runs whose datasets were in a bucket: requests by
 * kind, retries, time to first byte and what the requests cost (run.json's `objectStorage`).
 */
import type { ObjectStorageFigures } from '../storage/request-stats.js';

export function objectStorageMarkdown(info: unknown): string {
  const s = (info as { objectStorage?: ObjectStorageFigures } | undefined)?.objectStorage;
  if (!s) return '';
  const p = s.cost.prices_per_1000;
  const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)} ms`);
  return [
    '',
    '## Object storage',
    '',
    '| GET | HEAD | LIST | PUT | DELETE | retries | failed | TTFB p50 | TTFB p99 | cost |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${s.get} | ${s.head} | ${s.list} | ${s.put} | ${s.delete} | ${s.retries} | ${s.failed} | ${ms(s.ttfb_p50_ms)} | ${ms(s.ttfb_p99_ms)} | $${s.cost.dollars.toFixed(6)} |`,
    '',
    `Cost at $${p.get} per 1,000 GET/HEAD, $${p.put} per 1,000 PUT, $${p.list} per 1,000 LIST (--price-per-1000-requests). One GET per image file against a few streamed GETs per shard is where TFRecords win on a bucket.`,
    '',
  ].join('\n');
}
