/** One parser of /proc/<pid>/stat lines (src/monitor/proc.ts), used by the resource monitor and the speed test's tasks. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cpuTicksFromStat, parseProcStat } from '../../src/monitor/proc.js';

test('a stat line whose command name holds spaces and ")" parses to its pid and CPU ticks', () => {
  const line = '4242 (node) (worker 1)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 517 83 0 0 20 0 11 0 12345 1000000 5000 18446744073709551615';
  assert.deepEqual(parseProcStat(line), { pid: 4242, utime: 517, stime: 83 });
  assert.equal(cpuTicksFromStat(line), 600);
});

test('this process\'s own stat line gives its pid', { skip: process.platform !== 'linux' && 'Linux /proc only' }, () => {
  assert.equal(parseProcStat(readFileSync('/proc/self/stat', 'latin1')).pid, process.pid);
});
