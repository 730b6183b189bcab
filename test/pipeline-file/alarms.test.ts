/** Pipeline files take the same host alarms as --alarm, checked before any work. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPipelineFile } from '../../src/pipeline-file/run.js';
import { withTempDir } from '../helpers.js';

test('alarms in a pipeline file are parsed as --alarm parses them; a bad one names its path in the file', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'p.json');
    await writeFile(file, JSON.stringify({ name: 'x', input: 'in', output: 'out', alarms: ['cpu>90 for 10s', 'disk_read>5MB'], pricePerWorkerHour: 0.5 }));
    const spec = await loadPipelineFile(file);
    assert.deepEqual(spec.alarms.map((a) => [a.metric, a.op, a.threshold, a.durationMs]), [['cpu', '>', 90, 10_000], ['disk_read', '>', 5e6, 0]]);
    assert.equal(spec.hostIntervalMs, 250);
    assert.equal(spec.pricePerWorkerHour, 0.5);
    await writeFile(file, JSON.stringify({ name: 'x', input: 'in', output: 'out', alarms: ['cpu>90', 'gpu>5'] }));
    await assert.rejects(loadPipelineFile(file), (e: Error & { code: string }) => e.code === 'PIPELINE_FILE' && /alarms: unknown metric "gpu"/.test(e.message));
    await writeFile(file, JSON.stringify({ name: 'x', input: 'in', output: 'out', alarms: 'cpu>90' }));
    await assert.rejects(loadPipelineFile(file), /alarms: expected a list of alarms/);
  });
});
