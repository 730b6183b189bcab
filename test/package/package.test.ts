/**
 * The package as a user gets it: `npm pack`, the tarball installed into an empty folder, the
 * `pipeline` bin run from there, a consumer type-checked against the installed declarations, and
 * README's "Use it from code" example compiled and run. Installing fetches the dependencies
 * (from npm's cache when it has them), which is why this file takes a minute.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, runChecker } from '../helpers.js';

const exec = promisify(execFile);
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));

let dir: string;
let tarball: string;
/** The empty folder the tarball is installed into; the consumer's files go there too. */
let prefix: string;
let bin: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipeline-package-'));
  prefix = join(dir, 'consumer');
  await mkdir(prefix);
  // npm test has just built dist/; --ignore-scripts keeps prepack from building it again under running tests.
  const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 1 << 26 });
  tarball = join(dir, JSON.parse(stdout)[0].filename);
  await exec('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--omit=dev', tarball], { cwd: prefix, maxBuffer: 1 << 26 });
  bin = join(prefix, 'node_modules', '.bin', 'pipeline');
  // A small dataset: 3 photos in each of 2 classes.
  for (const cls of ['flowers', 'water']) {
    await mkdir(join(prefix, 'photos', cls), { recursive: true });
    for (const i of ['000', '001', '002']) await cp(join(ROOT, 'fixtures', 'photos', cls, `${cls}-${i}.jpg`), join(prefix, 'photos', cls, `${cls}-${i}.jpg`));
  }
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('package.json: a free name, exports with types, files limited to what runs, prepack builds', () => {
  assert.equal(pkg.name, 'tfrecord-pipeline');
  // require: the same ES module, loaded by require(esm) (Node 20.19+, 22.12+, 24; see README).
  assert.deepEqual(pkg.exports['.'], { types: './dist/src/index.d.ts', import: './dist/src/index.js', require: './dist/src/index.js' });
  assert.equal(pkg.engines.node, '^20.19 || ^22.12 || >=24');
  assert.equal(pkg.bin.pipeline, 'bin/pipeline.js');
  assert.equal(pkg.scripts.prepack, 'npm run build');
});

test('the tarball holds dist/src, bin, README, licence and docs; no tests, fixtures or benchmarks', async () => {
  const { stdout } = await exec('tar', ['-tzf', tarball]);
  const files = stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  for (const wanted of ['package.json', 'README.md', 'LICENSE', 'bin/pipeline.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/tasks/worker.js', 'docs/DESIGN.md']) assert.ok(files.includes(wanted), wanted);
  const outside = files.filter((f) => !/^(package\.json|README\.md|LICENSE|bin\/|dist\/src\/|docs\/)/.test(f));
  assert.deepEqual(outside, []);
});

test('the installed bin: pipeline --help and --version', async () => {
  const help = await exec(bin, ['--help'], { cwd: prefix });
  for (const command of ['convert', 'inspect', 'speedtest', 'report', 'compare', 'recommend', 'run', 'worker']) assert.match(help.stdout, new RegExp(`\\b${command}\\b`));
  assert.equal((await exec(bin, ['--version'], { cwd: prefix })).stdout.trim(), pkg.version);
});

test('the installed bin converts a small dataset; the independent checker reads the shards', async () => {
  const { stdout } = await exec(bin, ['convert', 'photos', '--out', 'cli-shards', '--size', '32x32', '--partitions', '2', '--workers', '1', '--json', '--quiet'], { cwd: prefix });
  const result = JSON.parse(stdout);
  assert.equal(result.records, 6);
  assert.equal(result.shards, 2);
  const shards = (await readdir(join(prefix, 'cli-shards'))).filter((n) => n.endsWith('.tfrecord')).map((n) => join(prefix, 'cli-shards', n));
  const checked = await runChecker(['check', ...shards]);
  assert.equal(checked.code, 0);
  assert.equal(checked.json.records, 6);
});

/** A tsconfig for a consumer: what a TypeScript user of the package would have. */
async function consumerTsconfig(files: string[], noEmit: boolean): Promise<string> {
  const file = join(prefix, `tsconfig-${noEmit ? 'check' : 'emit'}.json`);
  await writeFile(file, JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit, outDir: 'out', skipLibCheck: true,
      // @types/node is the consumer's own dev dependency; here it is borrowed from this repository.
      typeRoots: [join(ROOT, 'node_modules', '@types')], types: ['node'],
    },
    files,
  }));
  return file;
}

test('a consumer type-checks against the installed declarations (and wrong uses do not)', async () => {
  await writeFile(join(prefix, 'package.json'), JSON.stringify({ ...JSON.parse(await readFile(join(prefix, 'package.json'), 'utf8')), type: 'module' }));
  await writeFile(join(prefix, 'consumer.ts'), `
import { compare, convert, inspect, PipelineError, readRecords, recommend, report, speedtest, writeRecords, encodeExample, type ConvertResult, type ErrorCode } from 'tfrecord-pipeline';
const converted: ConvertResult = await convert({ input: 'photos', out: 'x', size: { width: 8, height: 8 }, compression: 'gzip' });
const records: number = converted.records;
const inspected = await inspect({ target: 'x', verify: true });
const errors: number = inspected.errors.length;
await writeRecords('y.tfrecord', [encodeExample({ n: { int64: [1n] } })]);
for await (const r of readRecords('y.tfrecord')) { const n: number = r.index; void n; }
const code: ErrorCode = new PipelineError('USAGE', 'x').code;
void [records, errors, code, speedtest, report, compare, recommend];
`);
  await exec(process.execPath, [TSC, '-p', await consumerTsconfig(['consumer.ts'], true)], { cwd: prefix });
  await writeFile(join(prefix, 'wrong.ts'), `
import { convert } from 'tfrecord-pipeline';
await convert({ input: 'photos', out: 'x', fit: 'stretch' });
`);
  const wrong = await exec(process.execPath, [TSC, '-p', await consumerTsconfig(['wrong.ts'], true)], { cwd: prefix }).then(() => undefined, (e: { stdout: string }) => e.stdout);
  assert.match(wrong ?? 'compiled', /"stretch"/, 'a wrong option value is a type error');
});

test('README "Use it from code": the example compiles against the installed package and runs', async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it from code'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, 'a ts block in the section');
  await writeFile(join(prefix, 'package.json'), JSON.stringify({ ...JSON.parse(await readFile(join(prefix, 'package.json'), 'utf8')), type: 'module' }));
  await writeFile(join(prefix, 'example.ts'), code);
  await exec(process.execPath, [TSC, '-p', await consumerTsconfig(['example.ts'], false)], { cwd: prefix });
  const { stdout } = await exec(process.execPath, [join(prefix, 'out', 'example.js')], { cwd: prefix });
  const lines = stdout.trim().split('\n');
  assert.equal(lines[0], '6 records in 2 shards');
  assert.deepEqual(lines.slice(1, 4), ['0 flowers flowers/flowers-000.jpg', '1 flowers flowers/flowers-001.jpg', '2 flowers flowers/flowers-002.jpg']);
  assert.match(lines[4], /^USAGE quality: expected an integer from 1 to 100, got 101$/);
});

test('CommonJS: require("tfrecord-pipeline") gives the same functions as import, and they work', async () => {
  await writeFile(join(prefix, 'use.cjs'), `
const p = require('tfrecord-pipeline');
const { encodeExample, decodeExample, PipelineError } = p;
const back = decodeExample(encodeExample({ n: { int64: [7n] } }));
let code;
try { throw new PipelineError('USAGE', 'x'); } catch (e) { code = e.code; }
console.log(JSON.stringify({ n: String(back.n.int64[0]), code, convert: typeof p.convert, report: typeof p.report }));
`);
  const { stdout, stderr } = await exec(process.execPath, [join(prefix, 'use.cjs')], { cwd: prefix });
  assert.deepEqual(JSON.parse(stdout), { n: '7', code: 'USAGE', convert: 'function', report: 'function' });
  assert.doesNotMatch(stderr, /ExperimentalWarning|ERR_/, stderr);
  const { stdout: esm } = await exec(process.execPath, ['--input-type=module', '-e', "import * as p from 'tfrecord-pipeline'; console.log(Object.keys(p).sort().join())"], { cwd: prefix });
  const { stdout: cjs } = await exec(process.execPath, ['-e', "console.log(Object.keys(require('tfrecord-pipeline')).sort().join())"], { cwd: prefix });
  assert.equal(cjs, esm);
});

test('the public types compile under the strictest flags without skipLibCheck, from an ES module and from CommonJS', async () => {
  const strictest = {
    strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, noImplicitOverride: true, noImplicitReturns: true,
    noPropertyAccessFromIndexSignature: true, noFallthroughCasesInSwitch: true, noUnusedLocals: true, noUnusedParameters: true,
    useUnknownInCatchVariables: true, verbatimModuleSyntax: true, isolatedModules: true, skipLibCheck: false,
  };
  await writeFile(join(prefix, 'strict.mts'), `
import { report, type ReportOptions, type Chart, type InspectResult } from 'tfrecord-pipeline';
const chart: Chart = { name: 'extra', title: 'Extra', spec: { mark: 'bar', data: { values: [] } } };
const options: ReportOptions = { run: 'r', extraCharts: [chart] };
const f: (r: InspectResult) => number = (r) => r.records;
void [report, options, f];
`);
  await writeFile(join(prefix, 'strict.cts'), `
import pipeline = require('tfrecord-pipeline');
const n: number = pipeline.encodeExample({ a: { empty: true } }).length;
void n;
`);
  const file = join(prefix, 'tsconfig-strict.json');
  await writeFile(file, JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, ...strictest, typeRoots: [join(ROOT, 'node_modules', '@types')], types: ['node'] },
    files: ['strict.mts', 'strict.cts'],
  }));
  const result = await exec(process.execPath, [TSC, '-p', file], { cwd: prefix }).then(() => '', (e: { stdout: string }) => e.stdout);
  assert.equal(result, '', 'no type errors');
});
