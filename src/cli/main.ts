/**
 * The command line: declares the commands and loads each one's code lazily. Commands are functions
 * that return data (src/<concern>/); printing and exit codes are decided here.
 */
import { Command, CommanderError, Option } from 'commander';
import { PipelineError } from '../errors.js';
import { toJson } from '../json.js';
import { describeFailure, EXIT, exitCodeFor } from './exit-codes.js';
import { createLogger, type Logger } from './log.js';
import { alarmList, byteSize, fraction, hostName, hostPrices, intInRange, intList, nonNegativeInt, nonNegativeNumber, oneOf, parseWhere, positiveInt, positiveNumber, problemLimit, repeatable, splitSpec, size, stringList } from './parse.js';
import { printHuman } from './print.js';
import { VERSION } from '../version.js';


export interface CommandContext {
  signal: AbortSignal;
  log: Logger;
}

/** What a command gives back: its result (printed, or as --json) and, if not 0, an exit code. */
export interface Outcome {
  result: unknown;
  exitCode?: number;
}

type Action = (ctx: CommandContext) => Promise<Outcome>;

/** Runs the CLI; returns the exit code (bin/pipeline.js sets it). */
export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (caught) process.exit(signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm); // second signal: leave now
    caught = signal;
    controller.abort(new PipelineError('ABORTED', `stopped by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let pending: { action: Action; json: boolean; quiet: boolean } | undefined;
  const program = buildProgram((action, opts) => {
    pending = { action, json: Boolean(opts.json), quiet: Boolean(opts.quiet) };
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(describeFailure(error, exitCodeFor(error)) + '\n');
    return exitCodeFor(error);
  }
  if (!pending) return EXIT.ok;
  const log = createLogger({ quiet: pending.quiet });
  try {
    const { result, exitCode } = await pending.action({ signal: controller.signal, log });
    log.done();
    if (pending.json) process.stdout.write(toJson(result) + '\n');
    // --quiet silences stderr only: the result is what the user asked for.
    else printHuman(result);
    // A clean stop on a signal (the worker's graceful shutdown) still exits 128 + signal.
    return caught ? exitCodeFor(undefined, caught) : exitCode ?? EXIT.ok;
  } catch (error) {
    log.done();
    const code = exitCodeFor(error, caught);
    const data = (error as { result?: unknown }).result;
    if (data !== undefined && pending.json) process.stdout.write(toJson(data) + '\n');
    process.stderr.write(describeFailure(error, code) + '\n');
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Runs `fn` with a cluster executor when --redis is given (closing it after), else with the local pool. */
async function withExecutor<T>(redis: string | undefined, log: Logger, fn: (executor: import('../pool/executor.js').Executor | undefined) => Promise<T>): Promise<T> {
  if (!redis) return fn(undefined);
  const { clusterExecutor } = await import('../cluster/executor.js');
  const executor = await clusterExecutor(redis, (m) => log.info(m));
  try {
    return await fn(executor);
  } finally {
    await executor.close();
  }
}

/** Host sampling, alarms and cost: the same on every command that does work (src/hosts/). */
function hostOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--alarm <rule>', 'alarm on a host figure, e.g. "cpu>90 for 10s" (repeatable; cpu, iowait, mem, disk_read, disk_write, net_in, net_out)').argParser(alarmList('--alarm')))
    .addOption(new Option('--host-interval <ms>', 'host sampling period (hosts.csv)').argParser(intInRange('--host-interval', 10, 60_000)).default(250))
    .addOption(new Option('--price-per-worker-hour <p>', 'the summary gives the run\'s cost from the worker hosts\' wall time').argParser(positiveNumber('--price-per-worker-hour')))
    .addOption(new Option('--price-per-host <name=p>', 'price per hour of one host by name (repeatable; overrides --price-per-worker-hour, can bill the driver)').argParser(hostPrices('--price-per-host')));
}

const hostRunOptions = (opts: { alarm?: import('../hosts/alarms.js').Alarm[]; hostInterval: number; pricePerWorkerHour?: number; pricePerHost?: Record<string, number> }) => ({
  alarms: opts.alarm, hostIntervalMs: opts.hostInterval, pricePerWorkerHour: opts.pricePerWorkerHour, pricePerHost: opts.pricePerHost,
});

type Register = (action: Action, opts: { json?: boolean; quiet?: boolean }) => void;

function buildProgram(register: Register): Command {
  const program = new Command('pipeline')
    .description('Spark-style data pipeline and throughput analyser for image datasets')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const common = (cmd: Command) =>
    cmd.option('--json', 'print one JSON object with the result on stdout').option('--quiet', 'no progress or logs on stderr').exitOverride();

  common(
    program
      .command('inspect')
      .description('counts, schema and integrity of TFRecord files')
      .argument('<file-or-dir...>', 'TFRecord files, folders (shards found by content) or globs')
      .option('--verify', 'check every record\'s length and data CRC')
      .option('--split <name>', 'only the shards of this split (TFDS / TF-slim names, or a convert --split folder)')
      .option('--image-key <key>', 'the feature holding the encoded image (default: detected)')
      .option('--label-key <key>', 'the feature holding the label (default: detected)')
      .addOption(new Option('--dump <n>', 'print the first N examples').argParser(nonNegativeInt('--dump')).default(0)),
  ).action((targets: string[], opts) =>
    register(async ({ signal }) => {
      const { inspect } = await import('../tfrecord/inspect.js');
      const result = await inspect({ targets, verify: opts.verify, dump: opts.dump, split: opts.split, imageKey: opts.imageKey, labelKey: opts.labelKey, signal });
      return { result, exitCode: result.errors.length > 0 ? EXIT.data : EXIT.ok };
    }, opts),
  );

  common(hostOptions(
    program
      .command('convert')
      .description('image dataset (one folder per class, or a CSV / JSON Lines list of path,label) to TFRecord shards')
      .argument('<images-dir-or-list>', 'folder with one sub-folder per class, or a .csv / .tsv / .jsonl list of path,label')
      .requiredOption('--out <dir>', 'output folder')
      .addOption(new Option('--size <WxH>', 'stored image size').argParser(size('--size')).default({ width: 192, height: 192 }, '192x192'))
      .addOption(new Option('--fit <mode>', 'how images are fitted to --size').choices(['cover', 'contain', 'fill']).default('cover'))
      .addOption(new Option('--format <format>', 'stored image encoding').choices(['jpeg', 'png']).default('jpeg'))
      .addOption(new Option('--quality <q>', 'JPEG quality 1-100').argParser(intInRange('--quality', 1, 100)).default(90))
      .addOption(new Option('--partitions <n>', 'number of shards (default: about 1,000 records a shard)').argParser(positiveInt('--partitions')))
      .addOption(new Option('--workers <n>', 'worker threads (default: cores)').argParser(positiveInt('--workers')))
      .addOption(new Option('--compression <c>', 'TFRecord file compression').choices(['none', 'gzip', 'zlib']).default('none'))
      .option('--resume', 'continue an earlier convert run in --out: keep the shards that still verify, redo the rest')
      .option('--overwrite', 'replace an earlier convert run in --out (removes its files, nothing else)')
      .option('--strict', 'exit 3 if any input is skipped (after writing skipped.csv)')
      .addOption(new Option('--max-pixels <n>', 'refuse images with more pixels (decompression-bomb guard)').argParser(positiveInt('--max-pixels')))
      .addOption(new Option('--split <spec>', 'one shard set per split in --out/<split>/, by a hash of each path, e.g. train=0.8,val=0.1,test=0.1').argParser(splitSpec('--split')))
      .option('--name <name>', 'the dataset name in TFDS-style shard names with --split (default: the input\'s name)')
      .option('--image-key <key>', 'feature key of the encoded image (default image; TF-slim: image/encoded)')
      .option('--label-key <key>', 'feature key of the class id (default class; TF-slim: image/class/label)')
      .option('--redis <url>', 'cluster mode: run as a driver on BullMQ over Redis'),
  )).action((input: string, opts) =>
    register(async ({ signal, log }) => {
      const convertOptions = {
        input, out: opts.out, width: opts.size.width, height: opts.size.height, fit: opts.fit, format: opts.format, quality: opts.quality,
        partitions: opts.partitions, workers: opts.workers, compression: opts.compression, resume: opts.resume, overwrite: opts.overwrite, strict: opts.strict,
        maxPixels: opts.maxPixels, split: opts.split, name: opts.name, imageKey: opts.imageKey, labelKey: opts.labelKey, signal, onInfo: (m: string) => log.info(m), ...hostRunOptions(opts),
        onProgress: (p: { images: number; total: number; inputBytes: number; seconds: number }) => {
          const rate = p.images / Math.max(p.seconds, 1e-3);
          const eta = rate > 0 ? (p.total - p.images) / rate : 0;
          log.progress({ done: p.images, total: p.total, unit: 'images', detail: `${(p.inputBytes / 1e6).toFixed(1)} MB read, ${rate.toFixed(0)} images/s, ETA ${eta.toFixed(0)} s` });
        },
      };
      const { convert } = await import('../convert/convert.js');
      return { result: await withExecutor(opts.redis, log, (executor) => convert({ ...convertOptions, executor })) };
    }, opts),
  );

  common(hostOptions(
    program
      .command('speedtest')
      .description('read throughput: image files vs TFRecords, cache off vs on, over batch size x batch number x repetition')
      .option('--images <dir>', 'the image dataset (one folder per class)')
      .option('--tfrecords <path...>', 'the TFRecord shards: folders (found by content), files or globs')
      .option('--split <name>', 'only the shards of this split (TFDS / TF-slim names, or a convert --split folder)')
      .option('--image-key <key>', 'the feature holding the encoded image (default: detected, see README)')
      .option('--label-key <key>', 'the feature holding the label (default: detected)')
      .addOption(new Option('--channels <n>', 'channels every image is decoded to (default: the stored ones)').argParser(oneOf('--channels', ['1', '2', '3', '4'] as const)))
      .addOption(new Option('--max-problems <n|p%>', 'problems tolerated before exit 3: a count, or a percentage of reads').argParser(problemLimit('--max-problems')).default({ fraction: 0.01 }, '1%'))
      .requiredOption('--out <run-dir>', 'run folder to write')
      .option('--overwrite', 'replace an earlier speed-test run in --out (its report included)')
      .addOption(new Option('--datasets <list>', 'which datasets (default: those given)').argParser(stringList('--datasets', ['images', 'tfrecord'] as const)))
      .addOption(new Option('--cache [mode]', 'cache of decoded images: on, off, or both (the flag alone)').argParser(oneOf('--cache', ['on', 'off', 'both'] as const)))
      .addOption(new Option('--batch-sizes <list>', 'comma list').argParser(intList('--batch-sizes')).default([8, 16, 32, 64], '8,16,32,64'))
      .addOption(new Option('--batch-numbers <list>', 'comma list').argParser(intList('--batch-numbers')).default([10, 30, 60], '10,30,60'))
      .addOption(new Option('--repetitions <list>', 'repetition numbers to record, comma list').argParser(intList('--repetitions')).default([1, 2, 3], '1,2,3'))
      .addOption(new Option('--warmup <n>', 'passes before the timed ones, not counted (with the cache on they fill it)').argParser(nonNegativeInt('--warmup')).default(1))
      .addOption(new Option('--cache-limit <size>', 'memory for cached decoded images, all workers together').argParser(byteSize('--cache-limit')).default(2 ** 30, '1GiB'))
      .addOption(new Option('--workers <n>', 'worker threads (default: cores)').argParser(positiveInt('--workers')))
      .addOption(new Option('--partitions <n>', 'jobs the task grid is dealt into (default: one per task)').argParser(positiveInt('--partitions')))
      .addOption(new Option('--size <WxH>', 'size images are fitted to (default: the TFRecords\' stored size)').argParser(size('--size')))
      .addOption(new Option('--sweep-workers <list>', 'a scaling study: the grid once per worker count, e.g. 1,2,4').argParser(intList('--sweep-workers')))
      .addOption(new Option('--sweep-partitions <list>', 'the grid once per partition count').argParser(intList('--sweep-partitions')))
      .option('--redis <url>', 'cluster mode: run as a driver on BullMQ over Redis'),
  )).action((opts) =>
    register(async ({ signal, log }) => {
      const caches = opts.cache === undefined ? ['off'] : opts.cache === true || opts.cache === 'both' ? ['off', 'on'] : [opts.cache];
      const { speedtest } = await import('../speedtest/speedtest.js');
      const result = await withExecutor(opts.redis, log, (executor) => speedtest({
        executor,
        images: opts.images, tfrecords: opts.tfrecords, out: opts.out, overwrite: opts.overwrite, datasets: opts.datasets, caches,
        split: opts.split, imageKey: opts.imageKey, labelKey: opts.labelKey, channels: opts.channels === undefined ? undefined : Number(opts.channels), maxProblems: opts.maxProblems,
        batchSizes: opts.batchSizes, batchNumbers: opts.batchNumbers, repetitions: opts.repetitions, warmup: opts.warmup,
        cacheLimitBytes: opts.cacheLimit, workers: opts.workers, partitions: opts.partitions, width: opts.size?.width, height: opts.size?.height,
        sweepWorkers: opts.sweepWorkers, sweepPartitions: opts.sweepPartitions, ...hostRunOptions(opts),
        signal, onInfo: (m) => log.info(m),
        onProgress: (p) => log.progress({ done: p.tasks, total: p.total, unit: 'tasks', detail: `${p.seconds.toFixed(0)} s` }),
      }));
      return { result };
    }, opts),
  );

  common(
    program
      .command('worker')
      .description('a cluster worker: runs convert / speedtest jobs from Redis on this machine\'s threads')
      .requiredOption('--redis <url>', 'the Redis the driver uses, e.g. redis://10.0.0.5:6379')
      .addOption(new Option('--workers <n>', 'worker threads (default: cores)').argParser(positiveInt('--workers')))
      .addOption(new Option('--lock-ms <ms>', 'job lock time: a killed worker\'s jobs are taken again after it').argParser(positiveInt('--lock-ms')).default(30_000))
      .addOption(new Option('--name <name>', 'this worker\'s name in hosts.csv (default: hostname/pid)').argParser(hostName('--name')))
      .addOption(new Option('--host-interval <ms>', 'host sampling period').argParser(intInRange('--host-interval', 10, 60_000)).default(250))
      .addOption(new Option('--sample-buffer <rows>', 'host samples kept while Redis is slow; older ones are dropped and counted').argParser(positiveInt('--sample-buffer')).default(240)),
  ).action((opts) =>
    register(async ({ signal, log }) => {
      const { runWorker } = await import('../cluster/worker.js');
      const { defaultWorkers } = await import('../pool/pool.js');
      return { result: await runWorker({ redis: opts.redis, workers: opts.workers ?? defaultWorkers(), lockMs: opts.lockMs, name: opts.name, hostIntervalMs: opts.hostInterval, sampleBuffer: opts.sampleBuffer, signal, onInfo: (m) => log.info(m) }) };
    }, opts),
  );

  common(
    program
      .command('recommend')
      .description('the best (machine, worker count) for a goal and budget, from measurement tables or speed-test runs')
      .argument('[run-dir...]', 'speed-test run folders (a --sweep-workers run, or several runs)')
      .addOption(new Option('--measurements <file>', 'a CSV / JSON Lines table: workers (or nodes), seconds (or throughput), optional machine, price_per_hour, cores, scale, other columns (repeatable)').argParser(repeatable((v: string) => v)))
      .addOption(new Option('--where <key=value>', 'only table rows whose column KEY equals VALUE (repeatable)').argParser(repeatable(parseWhere)))
      .addOption(new Option('--goal <goal>', 'what to minimise: time, cost, weighted').argParser(oneOf('--goal', ['time', 'cost', 'weighted'] as const)).default('time'))
      .addOption(new Option('--alpha <a>', 'weight of time (seconds), --goal weighted').argParser(nonNegativeNumber('--alpha')))
      .addOption(new Option('--beta <b>', 'weight of cost, --goal weighted').argParser(nonNegativeNumber('--beta')))
      .addOption(new Option('--budget <c>', 'largest acceptable cost').argParser(positiveNumber('--budget')))
      .addOption(new Option('--price-per-worker-hour <p>', 'cost of one worker for an hour, where the table has no price_per_hour').argParser(positiveNumber('--price-per-worker-hour')).default(1))
      .addOption(new Option('--model <model>', 'how unmeasured counts are predicted: auto (lowest leave-one-out error), ernest, amdahl, usl, none (the table alone)').argParser(oneOf('--model', ['auto', 'ernest', 'amdahl', 'usl', 'none'] as const)))
      .addOption(new Option('--candidates <list>', 'worker counts to predict and choose from, e.g. 4,6,8,12,16').argParser(intList('--candidates')))
      .addOption(new Option('--max-workers <n>', 'largest worker count to consider (default: twice the largest measured)').argParser(positiveInt('--max-workers')))
      .addOption(new Option('--max-loo-error <f>', 'distrust a model whose leave-one-out error is above this').argParser(fraction('--max-loo-error')).default(0.25))
      .option('--next', 'say which configuration to measure next (null once none is expected to help)')
      .addOption(new Option('--min-improvement <f>', 'with --next: smallest expected improvement worth a run').argParser(fraction('--min-improvement')).default(0.05))
      .addOption(new Option('--scale <s>', 'the data size to predict at, when the table\'s scale column varies').argParser(positiveNumber('--scale')))
      .addOption(new Option('--images <n>', 'the workload in throughput units (run folders: default one epoch of the dataset)').argParser(positiveInt('--images')))
      .addOption(new Option('--batch-size <b>', 'run folders: only passes of this batch size').argParser(positiveInt('--batch-size')))
      .addOption(new Option('--dataset <d>', 'run folders: which dataset\'s passes (default tfrecord when measured)').choices(['images', 'tfrecord']))
      .addOption(new Option('--cache <c>', 'run folders: which cache mode\'s passes').choices(['off', 'on']).default('off')),
  ).action((runs: string[], opts) =>
    register(async () => {
      const { recommend, recommendNext } = await import('../recommend/recommend.js');
      const options = {
        runs, measurements: opts.measurements, where: opts.where, goal: opts.goal, alpha: opts.alpha, beta: opts.beta, budget: opts.budget,
        pricePerWorkerHour: opts.pricePerWorkerHour, model: opts.model, candidates: opts.candidates, maxWorkers: opts.maxWorkers,
        maxLooError: opts.maxLooError, minImprovement: opts.minImprovement, scale: opts.scale, images: opts.images,
        batchSize: opts.batchSize, dataset: opts.dataset, cache: opts.cache,
      };
      if (opts.next) return { result: await recommendNext(options) };
      const result = await recommend(options);
      return { result, exitCode: result.recommended ? EXIT.ok : EXIT.data };
    }, opts),
  );

  common(
    program
      .command('serve')
      .description('the recommender over HTTP: POST /api/recommend, POST /api/next, GET /api/health, and a form page')
      .addOption(new Option('--port <n>', 'TCP port (0: any free one)').argParser(intInRange('--port', 0, 65535)).default(8080))
      .option('--host <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1'),
  ).action((opts) =>
    register(async ({ signal, log }) => {
      const { serve } = await import('../serve/server.js');
      // The address goes to stderr even with --quiet: a server nobody can find is of no use.
      const result = await serve({ port: opts.port, host: opts.host, signal, onInfo: (m) => process.stderr.write(`pipeline serve: ${m}\n`), onError: (e) => log.info(`internal error: ${(e as Error)?.stack ?? String(e)}`) });
      return { result };
    }, opts),
  );

  common(
    program
      .command('report')
      .description('regressions, tables and charts from a speed-test run')
      .argument('<run-dir>', 'a run folder written by pipeline speedtest')
      .option('--out <dir>', 'where to write (default: the run folder)'),
  ).action((runDir: string, opts) =>
    register(async () => {
      const { report } = await import('../report/report.js');
      return { result: await report({ run: runDir, out: opts.out }) };
    }, opts),
  );

  common(
    program
      .command('compare')
      .description('is run b faster than run a? medians, ratio b/a with a bootstrap interval, Welch p-value per dataset x cache x batch size x batch number')
      .argument('<run-a>', 'a speed-test run folder (the baseline)')
      .argument('<run-b>', 'a speed-test run folder (the candidate)')
      .option('--out <dir>', 'also write compare.md, compare.html and its chart here'),
  ).action((a: string, b: string, opts) =>
    register(async () => {
      const { compare } = await import('../compare/compare.js');
      const result = await compare({ a, b, out: opts.out });
      // --json: the contract's shape (DESIGN.md); without it, the markdown table.
      return { result: opts.json ? { a: result.a, b: result.b, comparisons: result.comparisons, files: result.files } : { markdown: result.markdown, files: result.files } };
    }, opts),
  );

  common(
    program
      .command('run')
      .description('run the stages a pipeline file declares (convert, speedtest, report)')
      .argument('<pipeline-file>', 'e.g. pipelines/demo.json'),
  ).action((file: string, opts) =>
    register(async ({ signal, log }) => {
      const { runPipeline } = await import('../pipeline-file/run.js');
      const result = await runPipeline({
        file, signal, onInfo: (m) => log.info(m),
        onConvertProgress: (p) => log.progress({ done: p.images, total: p.total, unit: 'images' }),
        onSpeedtestProgress: (p) => log.progress({ done: p.tasks, total: p.total, unit: 'tasks', detail: `${p.seconds.toFixed(0)} s` }),
      });
      return { result };
    }, opts),
  );

  return program;
}
