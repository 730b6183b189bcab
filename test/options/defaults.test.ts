/**
 * One schema per command (src/options/): the CLI, pipeline files and the library functions get the
 * same defaults, limits and messages, because they all parse through it.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCommandLine } from '../../src/cli/main.js';
import { PipelineError } from '../../src/errors.js';
import { convertOptions } from '../../src/options/convert.js';
import { parseOptions } from '../../src/options/define.js';
import { inspectOptions } from '../../src/options/inspect.js';
import { recommendOptions } from '../../src/options/recommend.js';
import { reportOptions } from '../../src/options/report.js';
import { runOptions } from '../../src/options/run.js';
import { speedtestOptions } from '../../src/options/speedtest.js';
import { workerOptions } from '../../src/options/worker.js';
import { loadPipelineFile } from '../../src/pipeline-file/run.js';
import { runCli, withTempDir } from '../helpers.js';

/** Every command with the least its command line needs, and the same as library input. */
const COMMANDS = [
  { schema: convertOptions, argv: ['convert', 'photos', '--out', 'out'], required: { input: 'photos', out: 'out' } },
  { schema: speedtestOptions, argv: ['speedtest', '--tfrecords', 'shards', '--out', 'run'], required: { tfrecords: 'shards', out: 'run' } },
  { schema: inspectOptions, argv: ['inspect', 'shards'], required: { targets: ['shards'] } },
  { schema: reportOptions, argv: ['report', 'run'], required: { run: 'run' } },
  { schema: recommendOptions, argv: ['recommend', 'run-a', 'run-b'], required: { runs: ['run-a', 'run-b'] } },
  { schema: workerOptions, argv: ['worker', '--redis', 'redis://127.0.0.1:6379'], required: { redis: 'redis://127.0.0.1:6379' } },
  { schema: runOptions, argv: ['run', 'pipelines/demo.json'], required: { file: 'pipelines/demo.json' } },
] as const;

for (const { schema, argv, required } of COMMANDS) {
  test(`${schema.name}: the command line's defaults are the library's`, async () => {
    const cli = await parseCommandLine([...argv]);
    assert.equal(cli.command, schema.name);
    // Each entry's own schema: a union of the seven is not one schema TypeScript can check `required` against.
    assert.deepEqual(cli.options, parseOptions<typeof schema.schema>(schema as { specs: typeof schema.specs; schema: typeof schema.schema }, required));
  });
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A pipeline file with nothing but its required fields: its sections hold only defaults. */
async function minimalPipeline(dir: string, extra: Record<string, unknown> = {}): Promise<string> {
  const file = join(dir, 'p.json');
  await writeFile(file, JSON.stringify({ name: 'defaults', input: 'photos', output: 'out', ...extra }));
  return file;
}

test('convert and speedtest: a pipeline file\'s defaults are the command line\'s', async () => {
  await withTempDir(async (dir) => {
    const spec = await loadPipelineFile(await minimalPipeline(dir));
    // The host options are given once at the file's top level, for both stages.
    const hosts = defined({ alarms: spec.alarms, hostIntervalMs: spec.hostIntervalMs, pricePerWorkerHour: spec.pricePerWorkerHour });
    // Paths, cluster mode and folder ownership are the pipeline's own (it resumes its convert output, overwrites its run).
    const { input: _i, out: _o, redis: _r, resume: _re, overwrite: _ov, ...convertCli } = (await parseCommandLine(['convert', 'photos', '--out', 'out'])).options;
    assert.deepEqual({ ...spec.convert, ...hosts }, convertCli);
    const { images: _im, tfrecords: _t, out: _o2, redis: _r2, overwrite: _ov2, ...speedtestCli } = (await parseCommandLine(['speedtest', '--images', 'photos', '--tfrecords', 't', '--out', 'run'])).options;
    assert.deepEqual({ ...spec.speedtest, ...hosts }, speedtestCli);
    // The defaults the issue found in disagreement: the cache is off unless asked for, everywhere.
    assert.equal(spec.speedtest.cache, 'off');
    assert.deepEqual(spec.convert.size, { width: 192, height: 192 });
  });
});

test('the same values given on the command line and in a pipeline file parse to the same options', async () => {
  await withTempDir(async (dir) => {
    const spec = await loadPipelineFile(await minimalPipeline(dir, {
      convert: { size: '64x48', quality: 75, partitions: 3, compression: 'gzip', fit: 'contain', strict: true },
      speedtest: { cache: 'both', batchSizes: [4, 8], warmup: 0, cacheLimit: '512MiB' },
    }));
    const convert = (await parseCommandLine(['convert', 'photos', '--out', 'out', '--size', '64x48', '--quality', '75', '--partitions', '3', '--compression', 'gzip', '--fit', 'contain', '--strict'])).options;
    for (const key of Object.keys(spec.convert)) assert.deepEqual((spec.convert as Record<string, unknown>)[key], convert[key], key);
    const speedtest = (await parseCommandLine(['speedtest', '--tfrecords', 't', '--out', 'run', '--cache', '--batch-sizes', '4,8', '--warmup', '0', '--cache-limit', '512MiB'])).options;
    for (const key of Object.keys(spec.speedtest)) assert.deepEqual((spec.speedtest as Record<string, unknown>)[key], speedtest[key], key);
    assert.equal(speedtest.cacheLimit, 512 * 2 ** 20);
  });
});

test('"size": "0x0" in a pipeline file is exit 2 with one line per problem, as on the command line', async () => {
  await withTempDir(async (dir) => {
    const file = await minimalPipeline(dir, { convert: { size: '0x0' } });
    const fromFile = await runCli(['run', file]);
    assert.equal(fromFile.code, 2);
    assert.match(fromFile.stderr, /convert\.size: expected WxH with each side from 1 to 16384 \(the maximum\), got "0x0"/);
    assert.doesNotMatch(fromFile.stderr, /\n\s+at /);
    const fromCli = await runCli(['convert', dir, '--out', join(dir, 'out'), '--size', '0x0']);
    assert.equal(fromCli.code, 2);
    assert.match(fromCli.stderr, /--size: expected WxH with each side from 1 to 16384 \(the maximum\), got "0x0"/);
  });
});

test('library calls are checked by the same schema: a usage error naming the option', async () => {
  const { convert } = await import('../../src/convert/convert.js');
  await assert.rejects(convert({ input: 'x', out: 'y', quality: 101 }), (e: unknown) => {
    assert.ok(e instanceof PipelineError);
    assert.equal(e.code, 'USAGE');
    assert.equal(e.message, 'quality: expected an integer from 1 to 100, got 101');
    return true;
  });
  const { speedtest } = await import('../../src/speedtest/speedtest.js');
  await assert.rejects(speedtest({ out: 'y', batchSizes: [0] }), /batchSizes: expected a comma list of positive integers up to 65536, got \[0\]/);
});

test('command-line values: bad numbers, lists and sizes are usage errors naming the option and the text given', async () => {
  for (const [argv, message] of [
    [['convert', 'a', '--out', 'b', '--workers', '0'], '--workers: expected a positive integer, got "0"'],
    [['convert', 'a', '--out', 'b', '--quality', '9.5'], '--quality: expected an integer from 1 to 100, got "9.5"'],
    [['convert', 'a', '--out', 'b', '--fit', 'stretch'], '--fit: expected one of cover, contain, fill, got "stretch"'],
    [['convert', 'a'], '--out: expected a folder (the output), got nothing'],
    [['speedtest', '--out', 'r', '--batch-sizes', '8,x'], '--batch-sizes: expected a comma list of positive integers up to 65536, got "8,x"'],
    [['speedtest', '--out', 'r', '--cache-limit', 'lots'], '--cache-limit: expected a size such as 512MiB or 2GiB, got "lots"'],
    [['speedtest', '--out', 'r', '--datasets', 'images,video'], '--datasets: expected a comma list of images, tfrecord, got "images,video"'],
    [['recommend', 'r', '--alpha', '-1'], '--alpha: expected a number >= 0, got "-1"'],
    [['inspect', 'f', '--dump', 'all'], '--dump: expected a whole number >= 0, got "all"'],
  ] as const) {
    await assert.rejects(parseCommandLine([...argv]), (e: unknown) => {
      assert.ok(e instanceof PipelineError, String(e));
      assert.equal(e.code, 'USAGE');
      assert.equal(e.message, message);
      return true;
    });
  }
});
