import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPipelineFile, runPipeline } from '../../src/pipeline-file/run.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const PIPELINES = join(ROOT, 'pipelines');

for (const name of (await readdir(PIPELINES)).filter((n) => n.endsWith('.json'))) {
  test(`pipelines/${name} runs: shards, run folder and report`, async () => {
    const result = await runPipeline({ file: join(PIPELINES, name) });
    assert.ok(result.convert.records > 0);
    assert.equal(result.convert.skipped, 0);
    assert.ok(result.speedtest.rows > 0);
    assert.equal(result.speedtest.problems, 0);
    assert.ok(result.report && result.report.charts.length >= 10);
    const html = await readFile(join(result.report!.out, 'report.html'), 'utf8');
    assert.match(html, /<svg/);
  });
}

test('an invalid pipeline file: every problem with its path in the file, what was expected and what came (exit 2)', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ name: 'x', input: 'photos', output: 'out', convert: { partitions: 'four', size: '192' }, speedtest: { cache: 'maybe', batchSizes: [] }, extra: 1 }));
    await assert.rejects(loadPipelineFile(file), (e: Error & { code: string }) => {
      assert.equal(e.code, 'PIPELINE_FILE');
      // The same words as the CLI's (one schema per command: src/options/).
      assert.match(e.message, /convert\.partitions: expected a positive integer, got "four"/);
      assert.match(e.message, /convert\.size: expected WxH with each side from 1 to 16384 \(the maximum\), got "192"/);
      assert.match(e.message, /speedtest\.cache: expected one of on, off, both, got "maybe"/);
      assert.match(e.message, /speedtest\.batchSizes: expected a comma list of positive integers up to 65536, got \[\]/);
      assert.match(e.message, /\(top level\): Unrecognized key\(s\) in object: 'extra', got extra/);
      return true;
    });
    const cli = await runCli(['run', file]);
    assert.equal(cli.code, 2);
    await writeFile(file, '{ not json');
    await assert.rejects(loadPipelineFile(file), /not valid JSON/);
  });
});

test('a pipeline file with other feature keys, --max-problems and --channels: the speed test finds the keys it wrote', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'slim.json');
    await writeFile(file, JSON.stringify({
      name: 'slim', input: join(ROOT, 'fixtures', 'photos'), output: 'out', report: false,
      convert: { size: '32x32', imageKey: 'image/encoded', labelKey: 'image/class/label' },
      speedtest: { datasets: ['tfrecord'], cache: 'off', batchSizes: [10], batchNumbers: [2], repetitions: [1], maxProblems: '5%', channels: 1 },
    }));
    const result = await runPipeline({ file });
    assert.equal(result.speedtest.problems, 0);
    const run = JSON.parse(await readFile(join(dir, 'out', 'run', 'run.json'), 'utf8'));
    assert.deepEqual([run.tfrecords.keys.image.key, run.tfrecords.keys.label.key, run.tfrecords.channels], ['image/encoded', 'image/class/label', 1]);
    assert.deepEqual(run.options.maxProblems, { fraction: 0.05 });
    await writeFile(file, JSON.stringify({ name: 'x', input: 'photos', output: 'out', speedtest: { maxProblems: 'lots' } }));
    await assert.rejects(loadPipelineFile(file), /speedtest\.maxProblems: /);
  });
});
