import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MeasuredRow } from '../../src/recommend/measurements.js';
import { expectedImprovement, nextRun } from '../../src/recommend/next.js';
import { PYTHON, runCli, withTempDir } from '../helpers.js';

const row = (law: (m: number) => number, workers: number, machine = 'default'): MeasuredRow => ({ source: 'synthetic', machine, workers, seconds: law(workers), extra: {} });

/** Measures what --next asks until it answers null; returns the runs made and the last answer. */
function search(law: (m: number) => number, start: number[], candidates: number[], goal: 'time' | 'cost' = 'time') {
  const rows = start.map((w) => row(law, w));
  for (let i = 0; i < 20; i++) {
    const answer = nextRun(rows, { goal, candidates });
    if (!answer.next) return { runs: rows.length, answer, rows };
    assert.ok(!rows.some((r) => r.workers === answer.next!.workers), `never asks for a measured count (${answer.next.workers})`);
    rows.push(row(law, answer.next.workers));
  }
  throw new Error('--next did not stop');
}

test('expected improvement: zero spread is the plain improvement; spread adds hope', () => {
  assert.equal(expectedImprovement(10, 8, 0), 2);
  assert.equal(expectedImprovement(10, 12, 0), 0);
  assert.ok(expectedImprovement(10, 12, 2) > 0);
  assert.ok(Math.abs(expectedImprovement(10, 10, 1) - 1 / Math.sqrt(2 * Math.PI)) < 1e-6);
});

test('expected improvement equals (best - mean) x scipy norm.cdf(z) + sd x norm.pdf(z) to 1e-12', () => {
  const cases = [[10, 12, 2], [10, 8, 3], [100, 140, 7], [1, 1.5, 0.01], [5, 30, 4]];
  const script = 'import json,sys; from scipy.stats import norm; print(json.dumps([(b - m) * norm.cdf((b - m) / s) + s * norm.pdf((b - m) / s) for b, m, s in json.load(sys.stdin)]))';
  const scipy: number[] = JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' }));
  cases.forEach(([best, mean, sd], i) => {
    const ours = expectedImprovement(best, mean, sd);
    assert.ok(Math.abs(ours - scipy[i]) <= 1e-12 * Math.max(1, Math.abs(scipy[i])), `${cases[i]}: ours ${ours}, scipy ${scipy[i]}`);
  });
});

test('--next on a synthetic table reaches the optimum within 6 runs, then answers null with the reason', () => {
  // seconds = 2000/m + 10 + 0.8 m over 1..128 workers: the fastest is 50.
  const law = (m: number) => 2000 / m + 10 + 0.8 * m;
  const candidates = Array.from({ length: 128 }, (_, i) => i + 1);
  const { runs, answer, rows } = search(law, [1], candidates);
  assert.ok(runs <= 6, `${runs} runs: ${rows.map((r) => r.workers).join(', ')}`);
  assert.equal(answer.recommended!.workers, 50, rows.map((r) => r.workers).join(', '));
  assert.equal(answer.next, null);
  assert.match(answer.reason, /no candidate is expected to improve the objective by more than 5\.0%/);
  // The first runs spread the counts so that a model can be checked.
  assert.deepEqual(rows.slice(0, 2).map((r) => r.workers), [1, 128]);
});

test('--next for cost, and with the optimum already measured', () => {
  const law = (m: number) => 3000 / m + 40 + 0.05 * m * m; // cost per run grows with m: one worker is the cheapest
  const candidates = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32];
  const cost = search(law, [2, 4, 8, 16], candidates, 'cost');
  assert.equal(cost.answer.recommended!.workers, 1);
  assert.ok(cost.runs <= 6);
  const done = nextRun([1, 2, 4, 8, 16, 32].map((w) => row((m) => 100 / m + 1, w)), { goal: 'time', candidates: [1, 2, 4, 8, 16, 32] });
  assert.equal(done.next, null);
  assert.match(done.reason, /every candidate is measured/);
});

test('--next asks to measure a recommendation that is a far extrapolation', () => {
  const law = (m: number) => 10 + 1000 / m;
  const answer = nextRun([1, 2, 3, 4].map((w) => row(law, w)), { goal: 'time', candidates: [1, 2, 3, 4, 64] });
  assert.equal(answer.recommended!.workers, 64);
  assert.equal(answer.next!.workers, 64);
  assert.match(answer.reason, /far past the measured counts: measure it/);
});

test('--next with too few points asks for the count farthest from those measured', () => {
  const answer = nextRun([row((m) => 100 / m, 1), row((m) => 100 / m, 2)], { candidates: [1, 2, 4, 8, 16, 32] });
  assert.deepEqual(answer.next && { workers: answer.next.workers, machine: answer.next.machine }, { workers: 32, machine: 'default' });
  assert.match(answer.reason, /2 measured points, a model needs 4/);
});

test('recommend --next --json: {next, reason, recommended}', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 't.csv');
    await writeFile(file, 'workers,seconds\n' + [1, 2, 8, 32].map((m) => `${m},${2000 / m + 10 + 0.8 * m}`).join('\n') + '\n');
    const r = await runCli(['recommend', '--measurements', file, '--next', '--max-workers', '128', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const answer = JSON.parse(r.stdout);
    assert.equal(answer.next.workers, 50);
    assert.equal(answer.next.machine, 'default');
    assert.equal(typeof answer.reason, 'string');
    assert.equal(answer.recommended.workers, 50);
    const strict = JSON.parse((await runCli(['recommend', '--measurements', file, '--next', '--max-workers', '128', '--min-improvement', '90%', '--json'])).stdout);
    assert.equal(strict.next, null);
    assert.match(strict.reason, /more than 90\.0%/);
    const human = await runCli(['recommend', '--measurements', file, '--next', '--max-workers', '128']);
    assert.match(human.stdout, /^next: 50 workers/m);
  });
});
