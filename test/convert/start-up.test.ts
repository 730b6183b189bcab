/**
 * A local convert loads only what it uses: no AWS SDK (about 0.15 s of CPU) in the driver or in a
 * worker thread, no protobufjs and no speed-test code in a worker. Each check runs in a fresh
 * process, where `require.cache` lists every CommonJS module loaded (also those imported from ESM).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, withTempDir } from '../helpers.js';

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
      const outcome = await convertPartition({ input: { partition: 0, files, shardPath: ${JSON.stringify(join(dir, 's.tfrecord'))}, indexPath: ${JSON.stringify(join(dir, 's.idx'))}, image, compression: 'none', keys: { image: 'image', class: 'class', label: 'label' } }, progress: newProgressBuffer() });
      if (!outcome.ok || outcome.value.records === 0) throw new Error('no records: ' + JSON.stringify(outcome));
      if (!Object.keys(require.cache).some((p) => p.includes('jpeg-turbo'))) throw new Error('the image code did not run');`);
    assert.deepEqual(loaded.filter((n) => n.startsWith('@aws-sdk/') || n.startsWith('@smithy/') || n === 'protobufjs'), []);
  });
});
