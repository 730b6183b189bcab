import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, withTempDir } from '../helpers.js';

// A SIGTERM that a command does not act on (it came too late, or the command has nothing to stop)
// must not turn the success it printed into exit 143; a worker's or server's clean stop still is 143.
test('a command that finished and printed its result exits 0 even when a SIGTERM came meanwhile', async () => {
  await withTempDir(async (dir) => {
    const table = join(dir, 'm.csv');
    await writeFile(table, 'workers,seconds\n1,100\n2,60\n4,40\n');
    const script = `
      import { main } from ${JSON.stringify(join(ROOT, 'dist', 'src', 'cli', 'main.js'))};
      const pending = main(['recommend', '--measurements', ${JSON.stringify(table)}, '--json']);
      process.emit('SIGTERM', 'SIGTERM');
      process.stderr.write('exit ' + (await pending) + '\\n');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).recommended);
    assert.match(r.stderr, /^exit 0$/m);
  });
});
