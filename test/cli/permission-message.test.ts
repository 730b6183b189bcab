import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GOLDEN, ROOT, withTempDir } from '../helpers.js';

// Permissions only bind a non-root user: run the CLI as nobody (setpriv), which needs root to start.
const asNobody = (args: string[]) => spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(ROOT, 'bin', 'pipeline.js'), ...args], { encoding: 'utf8' });

test('a file that cannot be read says "cannot open", never "cannot write" (exit 3, one line)', { skip: (process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv')) && 'needs root and setpriv to run as nobody' }, async () => {
  await withTempDir(async (dir) => {
    await chmod(dir, 0o755);
    const file = join(dir, 'locked.tfrecord');
    await copyFile(join(GOLDEN, 'varied.tfrecord'), file);
    await chmod(file, 0o000);
    const r = asNobody(['inspect', file]);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stderr.trim(), `pipeline: cannot open ${file}: permission denied`);
  });
});
