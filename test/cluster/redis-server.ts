import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '../ports.js';

export { freePort };

export interface RedisServer {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** How many ports a start without a given port tries: another suite may bind the one drawn first. */
const ATTEMPTS = 5;

/**
 * A real redis-server (Debian package) on a free loopback port outside the ephemeral range
 * (test/ports.ts), no persistence, noeviction. Up when it says "Ready to accept connections" on
 * its log (stdout); a server that exits first failed to bind: another port, unless `port` was given.
 */
export async function startRedis(port?: number, options: { password?: string } = {}): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    const p = port ?? (await freePort());
    const started = await spawnRedis(p, options.password);
    if ('child' in started) return serverOn(p, started.child, options.password);
    if (port !== undefined || attempt >= ATTEMPTS) throw new Error(`redis-server did not start on port ${p} (attempt ${attempt}): ${started.log}`);
  }
}

async function spawnRedis(p: number, password: string | undefined): Promise<{ child: ChildProcess } | { log: string }> {
  const auth = password ? ['--requirepass', password] : [];
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', ...auth], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const ready = new Promise<boolean>((resolve) => {
    const read = (d: Buffer) => {
      log += d;
      if (log.includes('Ready to accept connections')) resolve(true);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', () => resolve(false));
    child.once('error', (error) => {
      log += error.message;
      resolve(false);
    });
  });
  if (await ready) {
    // Its log is not read any further: drained so that the server never blocks on a full pipe.
    child.stdout!.removeAllListeners('data').resume();
    child.stderr!.removeAllListeners('data').resume();
    return { child };
  }
  return { log: log.trim().split('\n').slice(-2).join(' | ') };
}

function serverOn(p: number, child: ChildProcess, password: string | undefined): RedisServer {
  const url = password ? `redis://:${encodeURIComponent(password)}@127.0.0.1:${p}` : `redis://127.0.0.1:${p}`;
  return {
    url,
    port: p,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    },
  };
}
