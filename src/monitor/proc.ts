/** Parsers of Linux /proc files, pure. */

/** The fields of a /proc/<pid>/stat or /proc/.../task/<tid>/stat line this tool reads. */
export interface ProcStat {
  /** The process or thread id (field 1). */
  pid: number;
  /** User and system CPU time, clock ticks (fields 14 and 15). */
  utime: number;
  stime: number;
}

/** One /proc/.../stat line, parsed (the command name in parentheses may hold spaces and ")"). */
export function parseProcStat(stat: string): ProcStat {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after ")": state is field 3 of the full line; utime and stime are fields 14 and 15.
  return { pid: Number(stat.slice(0, stat.indexOf(' '))), utime: Number(rest[11]), stime: Number(rest[12]) };
}

/** utime + stime, in clock ticks, from a /proc/.../stat line. */
export function cpuTicksFromStat(stat: string): number {
  const { utime, stime } = parseProcStat(stat);
  return utime + stime;
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
