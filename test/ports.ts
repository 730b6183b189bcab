/**
 * Loopback ports for the servers the tests start (redis-server, a plain TCP listener), chosen so
 * that two test suites at once do not take each other's. A port asked of the kernel (`listen(0)`)
 * and released comes from the ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), the range
 * every outgoing connection's local port is taken from too: between the release and the server's
 * bind, another suite's connection can hold it. A port outside that range is never given to an
 * outgoing connection; two suites can still draw the same one at random, so whoever binds it
 * second retries with another (startRedis, scripts/s3-gateway.sh).
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Below this, ports of common services (Redis's 6379, 8080, ...) that a developer may run. */
const LOWEST = 10000;
const HIGHEST = 65535;

/** The ports outside the kernel's ephemeral range, from LOWEST up: [first, last] pairs. */
export function nonEphemeralRanges(rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'): [number, number][] {
  let low = 32768;
  let high = 60999;
  try {
    [low, high] = readFileSync(rangeFile, 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    // Not Linux: the usual range.
  }
  return ([[LOWEST, low - 1], [high + 1, HIGHEST]] as [number, number][]).filter(([a, b]) => b >= a);
}

/** A random port outside the ephemeral range. */
export function randomPort(): number {
  const ranges = nonEphemeralRanges();
  const size = ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
  let pick = Math.floor(Math.random() * size);
  for (const [a, b] of ranges) {
    if (pick <= b - a) return a + pick;
    pick -= b - a + 1;
  }
  throw new Error(`no loopback port outside the ephemeral range ${JSON.stringify(ranges)}`);
}

/** True when nothing listens on (or holds) `port` on 127.0.0.1 now. */
async function bindable(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
  } catch {
    return false;
  }
  server.close();
  await once(server, 'close');
  return true;
}

/**
 * A free loopback port outside the ephemeral range (random, checked bindable now). The caller binds
 * it soon and, if the bind fails anyway (another suite drew the same port), asks again.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = randomPort();
    if (await bindable(port)) return port;
  }
  throw new Error('no free loopback port outside the ephemeral range after 50 draws');
}
