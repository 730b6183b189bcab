/**
 * The speed test's task on the pool: one partition of the grid (src/speedtest/task.ts). Registered
 * in the pool's task registry (src/pool/protocol.ts) under `runSpeedtestJob`.
 */
import type { SpeedtestJob, SpeedtestJobResult } from './task.js';

declare module '../pool/protocol.js' {
  interface Tasks {
    runSpeedtestJob: { input: SpeedtestJob; result: SpeedtestJobResult };
  }
}
