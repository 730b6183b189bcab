/**
 * An unreadable manifest.json is said as EACCES (exit 3 naming it), never "missing" nor read as a
 * folder without a manifest. Run as a non-root user: root reads any file (setpriv drops to nobody).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { ROOT } from '../helpers.js';

const asRoot = process.getuid?.() === 0;

test('an unreadable manifest.json: inspect exit 3 saying EACCES', { skip: asRoot && !existsSync('/usr/bin/setpriv') ? 'root without setpriv' : false }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pipeline-eacces-'));
  try {
    // Others may enter the folder and read the shards, not the manifest.
    await chmod(dir, 0o755);
    const out = join(dir, 'out');
    await convert({ input: join(ROOT, 'fixtures', 'photos'), out, size: '16x16' });
    await chmod(join(out, 'manifest.json'), 0o600);
    const cli = [join(ROOT, 'bin', 'pipeline.js'), 'inspect', out];
    const [command, args] = asRoot ? ['/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...cli]] : [process.execPath, cli];
    if (!asRoot) await chmod(join(out, 'manifest.json'), 0o000);
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(command, args, (error, _stdout, stderr) => resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, stderr }));
      child.stdin?.end();
    });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /manifest\.json: cannot read the manifest \(EACCES\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
