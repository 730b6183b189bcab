/**
 * A local convert loads only what it uses: no AWS SDK (about 0.15 s of CPU) in the driver or in a
 * worker thread, no protobufjs and no speed-test code in a worker, no @napi-rs/image for plain JPEGs. Each check runs in a fresh
 * process, where `require.cache` lists every CommonJS module loaded (also those imported from ESM).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, withTempDir } from '../helpers.js';
import { startHeld } from '../handshake.js';

const exec = promisify(execFile);
const PHOTOS = join(ROOT, 'fixtures', 'photos');

/** Runs `body` (an ES module's text, `dist` bound to the built src/) in a fresh node; returns the loaded packages it prints. */
async function loadedPackages(body: string): Promise<string[]> {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const dist = ${JSON.stringify(join(ROOT, 'dist', 'src'))};
    ${body}
    const names = new Set(Object.keys(require.cache).map((p) => p.match(/node_modules\\/((@[^/]+\\/)?[^/]+)/)?.[1]).filter(Boolean));
    console.log(JSON.stringify([...names]));`;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

test('the convert driver does not load the AWS SDK for a local run', async () => {
  await withTempDir(async (dir) => {
    const loaded = await loadedPackages(`
      const { convert } = await import(dist + '/convert/convert.js');
      await convert({ input: ${JSON.stringify(PHOTOS)}, out: ${JSON.stringify(join(dir, 'out'))}, size: '32x32', workers: 1 });`);
    assert.ok(loaded.length > 0, 'require.cache lists the CommonJS packages loaded');
    assert.deepEqual(loaded.filter((n) => n.startsWith('@aws-sdk/') || n.startsWith('@smithy/')), []);
  });
});

test('a convert worker loads neither the AWS SDK, protobufjs nor the speed test', async () => {
  await withTempDir(async (dir) => {
    const loaded = await loadedPackages(`
      const { readdirSync } = await import('node:fs');
      const { convertPartition } = await import(dist + '/tasks/worker.js');
      const { newProgressBuffer } = await import(dist + '/pool/protocol.js');
      const cls = readdirSync(${JSON.stringify(PHOTOS)}, { withFileTypes: true }).find((d) => d.isDirectory()).name;
      const files = readdirSync(${JSON.stringify(PHOTOS)} + '/' + cls).map((f) => ({ path: ${JSON.stringify(PHOTOS)} + '/' + cls + '/' + f, rel: cls + '/' + f, label: 0, className: cls }));
      const image = { width: 32, height: 32, fit: 'cover', format: 'jpeg', quality: 90, maxPixels: 1e8 };
      const outcome = await convertPartition({ input: { partition: 0, files, shardPath: ${JSON.stringify(join(dir, 's.tfrecord'))}, indexPath: ${JSON.stringify(join(dir, 's.idx'))}, fingerprint: 'f'.repeat(64), image, compression: 'none', keys: { image: 'image', class: 'class', label: 'label' } }, progress: newProgressBuffer() });
      if (!outcome.ok || outcome.value.entry.records === 0) throw new Error('no records: ' + JSON.stringify(outcome));
      if (!Object.keys(require.cache).some((p) => p.includes('jpeg-turbo'))) throw new Error('the image code did not run');`);
    assert.deepEqual(loaded.filter((n) => n.startsWith('@aws-sdk/') || n.startsWith('@smithy/') || n === 'protobufjs'), []);
  });
});

/**
 * Runs `body` like loadedPackages, under a module hook that lists every ES module loaded (in the
 * driver and in its worker threads): zod and apache-arrow's ES build are ES modules, which
 * require.cache never lists. Returns the loaded files' paths.
 */
async function loadedModules(dir: string, body: string): Promise<string[]> {
  const hooks = `export async function load(url, context, next) { const r = await next(url, context); if (url.startsWith('file:')) process.stderr.write('LOADED ' + url + '\\n'); return r; }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify('data:text/javascript,' + encodeURIComponent(hooks))});`;
  // A file, not --input-type=module -e: worker threads inherit the flags, and -e's would stop them.
  const script = join(dir, 'probe.mjs');
  await writeFile(script, `const dist = ${JSON.stringify(join(ROOT, 'dist', 'src'))};\n${body}`);
  const { stderr } = await exec(process.execPath, ['--import', 'data:text/javascript,' + encodeURIComponent(register), script], { cwd: ROOT, maxBuffer: 1 << 24 });
  return stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => decodeURIComponent(l.slice('LOADED file://'.length)));
}

test('a convert worker does not load zod (the options library: about 40 ms of each thread\'s start-up)', async () => {
  await withTempDir(async (dir) => {
    const loaded = await loadedModules(dir, `
      const { readdirSync } = await import('node:fs');
      const { convertPartition } = await import(dist + '/tasks/worker.js');
      const { newProgressBuffer } = await import(dist + '/pool/protocol.js');
      const cls = readdirSync(${JSON.stringify(PHOTOS)}, { withFileTypes: true }).find((d) => d.isDirectory()).name;
      const files = readdirSync(${JSON.stringify(PHOTOS)} + '/' + cls).map((f) => ({ path: ${JSON.stringify(PHOTOS)} + '/' + cls + '/' + f, rel: cls + '/' + f, label: 0, className: cls }));
      const image = { width: 32, height: 32, fit: 'cover', format: 'jpeg', quality: 90, maxPixels: 1e8 };
      const outcome = await convertPartition({ input: { partition: 0, files, shardPath: ${JSON.stringify(join(dir, 's.tfrecord'))}, indexPath: ${JSON.stringify(join(dir, 's.idx'))}, fingerprint: 'f'.repeat(64), image, compression: 'none', keys: { image: 'image', class: 'class', label: 'label' } }, progress: newProgressBuffer() });
      if (!outcome.ok || outcome.value.entry.records === 0) throw new Error('no records: ' + JSON.stringify(outcome));`);
    assert.ok(loaded.some((p) => p.endsWith('/convert/partition-task.js')), 'the hook lists the modules loaded');
    assert.deepEqual(loaded.filter((p) => p.includes('/node_modules/zod/')), []);
  });
});

test('a convert writes its Arrow tables with apache-arrow\'s one-file build, not its 150-module ES build', async () => {
  await withTempDir(async (dir) => {
    const loaded = await loadedModules(dir, `
      const { convert } = await import(dist + '/convert/convert.js');
      await convert({ input: ${JSON.stringify(PHOTOS)}, out: ${JSON.stringify(join(dir, 'out'))}, size: '32x32', workers: 1 });`);
    assert.ok(loaded.some((p) => p.endsWith('/run-folder/tables.js')), 'the hook lists the modules loaded');
    assert.deepEqual(loaded.filter((p) => p.includes('/node_modules/apache-arrow/')), []);
  });
});

test('a pool started for a task has its threads load that task\'s code before the first task comes', async () => {
  const { Worker } = await import('node:worker_threads');
  const entry = join(ROOT, 'dist', 'src', 'tasks', 'worker.js');
  const loadedAtStart = (preload?: string) => new Promise<boolean>((resolve, reject) => {
    // What piscina does with the entry as a thread starts: import it (its top-level await included), then wait for tasks.
    const code = `const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify('file://' + entry)}).then(() => parentPort.postMessage(Object.keys(require.cache).some((p) => p.includes('jpeg-turbo'))));`;
    const worker = new Worker(code, { eval: true, workerData: { preload } });
    // The entry's own message (its code loaded: src/pool/thread-start.ts) comes first; the answer is the boolean.
    worker.on('message', (loaded: unknown) => {
      if (typeof loaded === 'boolean') void worker.terminate().then(() => resolve(loaded));
    });
    worker.once('error', reject);
  });
  assert.equal(await loadedAtStart('convertPartition'), true, 'preloaded: the image codecs are in');
  assert.equal(await loadedAtStart(), false, 'no preload: loaded by the first task only');
});

test('a convert of plain JPEGs loads no @napi-rs/image in its worker thread (about 39 ms of each one\'s start-up)', async () => {
  await withTempDir(async (dir) => {
    // Read while the worker thread is alive (held at its 60th image): Node unloads a thread's addons
    // when the thread ends. An addon is mapped into the process whether a thread required or imported it.
    const run = startHeld(['convert', PHOTOS, '--out', join(dir, 'out'), '--size', '32x32', '--workers', '1', '--quiet'], 60);
    try {
      await run.held;
      const maps = await readFile(`/proc/${run.child.pid}/maps`, 'utf8');
      const addons = [...new Set(maps.split('\n').map((l) => l.split(' ').pop()!).filter((p) => p.endsWith('.node')))];
      assert.ok(addons.some((p) => p.includes('jpeg-turbo')), 'the thread converted the JPEGs on the synchronous path: ' + addons.join(', '));
      assert.deepEqual(addons.filter((p) => p.includes('@napi-rs/image')), []);
    } finally {
      run.child.kill('SIGKILL');
      await run.exit;
    }
  });
});
