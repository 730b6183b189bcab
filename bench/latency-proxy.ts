/**
 * A TCP proxy that adds latency: every chunk waits `delay / 2` ms in each direction, so a request's
 * round trip takes `delay` ms more, as across a network to a cloud bucket. For machines whose
 * kernel has no netem (containers): bench/object-storage.ts runs it in a process of its own, so
 * its CPU is not charged to the reader it measures.
 *
 *   node dist/bench/latency-proxy.js TARGET_HOST TARGET_PORT DELAY_MS   # prints "listening PORT"
 */
import { connect, createServer, type Socket } from 'node:net';

const [host, port, delay] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];

function forward(from: Socket, to: Socket, ms: number): void {
  // Timers of one duration fire in the order they were set: chunks keep their order.
  from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), ms));
  from.on('end', () => setTimeout(() => to.end(), ms));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), ms + 1));
}

const server = createServer((client) => {
  client.setNoDelay(true);
  const upstream = connect(port, host);
  upstream.setNoDelay(true);
  forward(client, upstream, delay / 2);
  forward(upstream, client, delay / 2);
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
