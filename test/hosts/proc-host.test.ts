/** The /proc parsers on captured text (a 2-core VM, kernel 6.x) and on older or odd variants. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCountedDisk, parseCpuStat, parseDiskstats, parseLoadavg, parseMeminfo, parseNetDev } from '../../src/hosts/proc-host.js';

const STAT = `cpu  38123 17 7142 26202 490 0 148 38 0 0
cpu0 19000 9 3500 13100 250 0 70 20 0 0
cpu1 19123 8 3642 13102 240 0 78 18 0 0
intr 123456 0 0
ctxt 987654
btime 1795000000
`;

test('/proc/stat: the aggregate cpu line, not a per-core one', () => {
  assert.deepEqual(parseCpuStat(STAT), { user: 38123, nice: 17, system: 7142, idle: 26202, iowait: 490, irq: 0, softirq: 148, steal: 38 });
});

test('/proc/stat: a kernel without steal (2.6.10) reads steal as 0; no cpu line is an error', () => {
  assert.equal(parseCpuStat('cpu  1 2 3 4 5 6 7\n').steal, 0);
  assert.throws(() => parseCpuStat('intr 1 2 3\n'), /no aggregate "cpu" line/);
  assert.throws(() => parseCpuStat(''), /no aggregate/);
});

test('/proc/loadavg', () => {
  assert.deepEqual(parseLoadavg('5.10 3.48 1.48 7/116 16023\n'), { load1: 5.1, load5: 3.48, load15: 1.48 });
  assert.throws(() => parseLoadavg('garbage'), /expected three numbers/);
});

const MEMINFO = `MemTotal:       24684084 kB
MemFree:        22202668 kB
MemAvailable:   23598156 kB
Buffers:           33364 kB
Cached:          1453744 kB
SwapCached:            0 kB
`;

test('/proc/meminfo: used = total - available, cache = Cached + Buffers, bytes', () => {
  const m = parseMeminfo(MEMINFO);
  assert.equal(m.totalBytes, 24684084 * 1024);
  assert.equal(m.availableBytes, 23598156 * 1024);
  assert.equal(m.cacheBytes, (1453744 + 33364) * 1024);
  assert.equal(m.usedBytes, (24684084 - 23598156) * 1024);
});

test('/proc/meminfo: before MemAvailable (3.14), free + cache; no MemTotal is an error', () => {
  const m = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n');
  assert.equal(m.availableBytes, 400 * 1024);
  assert.throws(() => parseMeminfo('MemFree: 1 kB\n'), /no MemTotal/);
});

const DISKSTATS = `   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 254       0 vda 32863 7694 2004258 6083 78109 40821 5866808 29895 0 10388 37682 11936 106 421920 1032 8940 670
 254       1 vda1 32000 7000 2000000 6000 78000 40000 5800000 29000 0 10000 37000
 253       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 259       0 nvme0n1 10 0 80 1 20 0 160 2 0 3 3
 259       1 nvme0n1p1 10 0 80 1 20 0 160 2 0 3 3
`;

test('/proc/diskstats: sectors are 512 bytes; io ticks are the busy time; 11-field (old) lines read too', () => {
  const disks = parseDiskstats(DISKSTATS);
  const vda = disks.find((d) => d.name === 'vda')!;
  assert.deepEqual(vda, { name: 'vda', readOps: 32863, readBytes: 2004258 * 512, writeOps: 78109, writeBytes: 5866808 * 512, busyMs: 10388 });
  assert.equal(disks.length, 6);
  assert.equal(disks.find((d) => d.name === 'nvme0n1')!.busyMs, 3);
});

test('counted disks: whole disks only (partitions, loop, zram, device-mapper would count bytes twice)', () => {
  const counted = parseDiskstats(DISKSTATS).map((d) => d.name).filter((n) => isCountedDisk(n));
  assert.deepEqual(counted, ['vda', 'nvme0n1']);
  for (const n of ['sda1', 'xvdb3', 'mmcblk0p2', 'dm-0', 'md127', 'sr0', 'ram0']) assert.equal(isCountedDisk(n), false, n);
  // With /sys/block's list of devices, that list decides.
  assert.equal(isCountedDisk('vda', new Set(['vda'])), true);
  assert.equal(isCountedDisk('nvme0n1', new Set(['vda'])), false);
});

const NETDEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 1906529    1582    0    0    0     0          0         0  1906529    1582    0    0    0     0       0          0
  eth0: 286418023    6780    0    0    0     0          0         0   691863    4707    0    0    0     0       0          0
wlp2s0:12345678901 99 0 0 0 0 0 0 42 7 0 0 0 0 0 0
`;

test('/proc/net/dev: bytes and packets each way, per interface, names glued to the counters too', () => {
  const nets = parseNetDev(NETDEV);
  assert.deepEqual(nets.map((n) => n.name), ['lo', 'eth0', 'wlp2s0']);
  assert.deepEqual(nets[1], { name: 'eth0', rxBytes: 286418023, rxPackets: 6780, txBytes: 691863, txPackets: 4707 });
  assert.equal(nets[2].rxBytes, 12345678901);
  assert.deepEqual(parseNetDev(''), []);
});
