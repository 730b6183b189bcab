/** The run's cost from the hosts' wall time: a price per worker-hour, prices per named host. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cost, type HostInfo } from '../../src/hosts/recorder.js';
import { parseCommandLine } from '../../src/cli/main.js';

const host = (name: string, role: HostInfo['role'], wallSeconds: number): HostInfo => ({
  host: name,
  role,
  machine: name,
  clockOffsetMs: 0,
  clockRttMs: 0,
  sampler: { samples: 1, busyMs: 0, fractionOfOneCore: 0 },
  missingSources: [],
  linkBytesPerSecond: null,
  rows: 1,
  wallSeconds,
  droppedSamples: 0,
});
const hosts = [host('drv', 'driver', 7200), host('a', 'worker', 3600), host('b', 'worker', 1800)];

test('price per worker-hour: the workers billed, the driver not', () => {
  const c = cost(hosts, 2);
  assert.deepEqual(c.hosts, ['a', 'b']);
  assert.equal(c.hostHours, 1.5);
  assert.equal(c.cost, 3);
});

test('prices per host override it, can bill the driver, and a name with no samples is reported', () => {
  const c = cost(hosts, 2, { drv: 0.5, b: 10, ghost: 1 });
  assert.deepEqual(c.perHost.map((p) => [p.host, p.cost]), [['drv', 1], ['a', 2], ['b', 5]]);
  assert.equal(c.cost, 8);
  assert.deepEqual(c.unmatched, ['ghost']);
  assert.equal(cost(hosts, undefined, { a: 1 }).cost, 1);
});

test('--price-per-host NAME=PRICE: repeatable, names may hold "=", bad values are usage errors', async () => {
  const parse = (...values: string[]) => parseCommandLine(['convert', 'in', '--out', 'out', ...values.flatMap((v) => ['--price-per-host', v])]);
  assert.deepEqual((await parse('a=x=1.5', 'b=2')).options.pricePerHost, { 'a=x': 1.5, b: 2 });
  for (const bad of ['a', '=1', 'a=', 'a=0', 'a=-1', 'a=cheap']) await assert.rejects(parse(bad), (e: any) => e.code === 'USAGE' && /--price-per-host: expected NAME=PRICE/.test(e.message), bad);
});
