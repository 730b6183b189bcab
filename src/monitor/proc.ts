/** Parsers of Linux /proc files, pure. */

/** utime + stime, in clock ticks, from a /proc/.../stat line (the command name may hold spaces). */
export function cpuTicksFromStat(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after ")": state is field 3 of the full line; utime and stime are fields 14 and 15.
  return Number(rest[11]) + Number(rest[12]);
}

export interface IoCounters {
  readBytes: number;
  readOps: number;
  writtenBytes: number;
}

/** /proc/self/io: rchar / syscr / wchar (all reads, page cache included, as a reader sees them). */
export function parseIo(text: string): IoCounters {
  const get = (key: string) => Number(new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { readBytes: get('rchar'), readOps: get('syscr'), writtenBytes: get('wchar') };
}

/** VmRSS of /proc/self/status, bytes. */
export function rssFromStatus(text: string): number {
  const kb = /^VmRSS:\s*(\d+) kB/m.exec(text)?.[1];
  return kb === undefined ? NaN : Number(kb) * 1024;
}

/** CPU time of the calling thread in ms (/proc/thread-self/schedstat, nanoseconds); NaN elsewhere. */
export function threadCpuMs(read: () => string): number {
  try {
    return Number(read().split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}
