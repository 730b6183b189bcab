/** `pipeline worker --name`: names land in CSV, HTML and Redis, so odd ones are refused before any connection. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine } from '../../src/cli/main.js';
import { runCli } from '../helpers.js';

test('--name: empty, too long or with control characters is exit 2; quotes, commas and HTML are kept as given', async () => {
  for (const bad of ['', '   ', 'a\nb', 'tab\there', 'x'.repeat(101)]) {
    const r = await runCli(['worker', '--redis', 'redis://127.0.0.1:1', '--name', bad]);
    assert.equal(r.code, 2, JSON.stringify(bad));
    assert.match(r.stderr, /--name: expected a name of 1-100 printable characters/);
  }
  for (const ok of ['worker-a', 'rack 3, "gpu" <b>', 'ünïcode/42']) assert.equal((await parseCommandLine(['worker', '--redis', 'redis://127.0.0.1:1', '--name', ok])).options.name, ok);
});
