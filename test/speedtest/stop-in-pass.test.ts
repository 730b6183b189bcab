import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

/** Starts a speed test whose one pass is 64,000,000 images and resolves once stderr shows images delivered. */
function startHugePass(out: string) {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'pipeline.js'), 'speedtest', '--images', PHOTOS, '--out', out, '--batch-sizes', '64', '--batch-numbers', '1000000', '--repetitions', '1', '--warmup', '0', '--workers', '1', '--cache', 'on'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const progressing = new Promise<void>((resolvePromise, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      // A progress line counting images: the pass is under way (lines come at most every 2 s).
      if (/[1-9]\d* images, \d+ s/.test(stderr)) resolvePromise();
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before any progress: ${stderr}`)));
  });
  return { child, progressing, stderr: () => stderr };
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} during a 64,000,000-image pass stops within 5 s: exit ${code}, a partial run folder, no native abort`, { timeout: 120_000 }, async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'run');
      const run = startHugePass(out);
      await run.progressing;
      const sent = performance.now();
      run.child.kill(signal);
      const exit = await new Promise<number | null>((r) => run.child.once('exit', (c) => r(c)));
      const seconds = (performance.now() - sent) / 1000;
      assert.equal(exit, code, run.stderr());
      assert.ok(seconds < 5, `stopped after ${seconds.toFixed(1)} s`);
      assert.doesNotMatch(run.stderr(), /Napi|internal error/);
      const info = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
      assert.equal(info.interrupted, true);
      await readFile(join(out, 'measurements.csv'), 'utf8');
    });
  });
}

test('passes beyond the bounds are refused before anything runs (exit 2)', async () => {
  await withTempDir(async (dir) => {
    for (const args of [
      ['--batch-sizes', '100000000', '--batch-numbers', '100000000'],
      ['--batch-sizes', '64', '--batch-numbers', '100000000'],
      ['--batch-sizes', '60000', '--size', '192x192'],
    ]) {
      const r = await runCli(['speedtest', '--images', PHOTOS, '--out', join(dir, 'x'), ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
