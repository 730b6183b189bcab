/**
 * Each partition task returns its shard's finished manifest entry (names, counts, SHA-256,
 * fingerprint, skipped inputs): the driver adds nothing to it, only checks, orders and writes.
 * An entry that is not the shard the driver asked for (a result rewritten in the cluster's Redis,
 * as anyone who can write there could) stops the run before any manifest is written.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { localExecutor, type Executor } from '../../src/pool/executor.js';
import type { TaskResult } from '../../src/pool/protocol.js';
import { ROOT, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

/** The local pool, its results seen (and possibly changed, as a Redis writer could) on their way to the driver. */
function watchedExecutor(change: (result: TaskResult<'convertPartition'>) => TaskResult<'convertPartition'>, seen: unknown[]): Executor {
  const local = localExecutor(2);
  return {
    ...local,
    runAll: (name, tasks, onResult, signal) =>
      local.runAll(name, tasks, async (result, index) => {
        seen[index] = structuredClone(result);
        await onResult((name === 'convertPartition' ? change(result as TaskResult<'convertPartition'>) : result) as typeof result, index);
      }, signal),
  };
}

test("the tasks' own entries are manifest.json's shards, byte for byte", async () => {
  await withTempDir(async (dir) => {
    const seen: { entry: unknown }[] = [];
    const executor = watchedExecutor((r) => r, seen);
    try {
      await convert({ input: PHOTOS, out: join(dir, 'out'), partitions: 3, size: '32x32', executor });
    } finally {
      await executor.close();
    }
    const manifest = JSON.parse(await readFile(join(dir, 'out', 'manifest.json'), 'utf8'));
    assert.equal(seen.length, 3);
    assert.equal(JSON.stringify(manifest.shards), JSON.stringify(seen.map((r) => r.entry)));
  });
});

test("an entry that names another shard's fingerprint or partition stops the run (a CLUSTER error), no manifest", async () => {
  for (const [what, change] of [
    ['fingerprint', (e: { fingerprint: string }) => ({ ...e, fingerprint: 'a'.repeat(64) })],
    ['partition', (e: { partition: number }) => ({ ...e, partition: e.partition + 1 })],
    ['no entry', () => undefined],
  ] as const) {
    await withTempDir(async (dir) => {
      const executor = watchedExecutor((r) => ({ ...r, entry: change(r.entry as never) as never }), []);
      try {
        await assert.rejects(convert({ input: PHOTOS, out: join(dir, 'out'), partitions: 2, size: '32x32', executor }), (error: { code: string; message: string }) => {
          assert.equal(error.code, 'CLUSTER', what);
          assert.match(error.message, what === 'no entry' ? /returned no manifest entry/ : new RegExp(`returned another shard's entry \\(${what} `), what);
          return true;
        });
      } finally {
        await executor.close();
      }
      assert.equal(existsSync(join(dir, 'out', 'manifest.json')), false, `${what}: no manifest written`);
    });
  }
});
