/**
 * What the host recording (recorder.ts) gets from other machines: a feed of their host rows and
 * what each host said about itself. Declared here, beside its user; cluster/host-stream.ts
 * implements it over Redis, and an executor offers one (src/pool/executor.ts) without the pool
 * or the hosts knowing about Redis.
 */
import type { HostRow } from './rates.js';
import type { SamplerCost } from './sampler.js';

export interface RemoteHost {
  host: string;
  pid?: number;
  role: HostRow['role'];
  machine: string;
  /** Add to the host's clock to get the driver's. */
  clockOffsetMs: number;
  /** Round trips to Redis the offsets came from (the offset's uncertainty is at most half their sum). */
  clockRttMs: number;
  droppedSinceWorkerStart: number;
  sampler: SamplerCost;
  missingSources: string[];
  linkBytesPerSecond: number | null;
}

/** The driver's side: reads the other hosts' rows from the run's start until `stop`. */
export interface HostFeed {
  stop(): Promise<{ rows: HostRow[]; hosts: RemoteHost[]; malformedBatches: number }>;
}
