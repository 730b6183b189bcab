import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** A free loopback port, from the kernel. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface RedisServer {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A real redis-server (Debian package) on a free loopback port, no persistence, noeviction. */
export async function startRedis(port?: number, options: { password?: string } = {}): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const auth = options.password ? ['--requirepass', options.password] : [];
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', ...auth], { stdio: 'ignore' });
  const url = options.password ? `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${p}` : `redis://127.0.0.1:${p}`;
  const probe = new Redis({ port: p, host: '127.0.0.1', password: options.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  for (let i = 0; ; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      if (i > 100) throw new Error(`redis-server did not start on port ${p}`);
      await sleep(50);
    }
  }
  probe.disconnect();
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
