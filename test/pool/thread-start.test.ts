/**
 * A pool never terminates a thread that is still loading its code (src/pool/thread-start.ts): a
 * native addon cut off in its initialisation aborted the whole process (exit 134, "terminate called
 * after throwing an instance of 'Napi::Error'") after a two-image convert had finished, its spare
 * thread still loading.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPool } from '../../src/pool/pool.js';

test('a pool closed at once waits for its threads to load their code: each said it had started before it ended', async () => {
  const pool = createPool(2, { preload: 'convertPartition' });
  const threads = pool.threads.map((t) => t.threadId);
  const started: number[] = [];
  pool.on('message', (m: Record<string, number>) => started.push(...Object.values(m)));
  await pool.destroy();
  assert.equal(threads.length, 2);
  assert.deepEqual(started.sort(), [...threads].sort(), 'every thread loaded its code before the pool ended it');
});
