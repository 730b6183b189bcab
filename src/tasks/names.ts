/**
 * The names of the registered tasks at run time, for the cluster worker: a job name read from
 * Redis is run only when it is one of these. The compiler checks the list against the registry
 * (src/pool/protocol.ts), so a task cannot be added to one and not the other.
 */
import type { TaskName } from '../pool/protocol.js';

const TASK_NAMES: Record<TaskName, true> = { convertPartition: true, runSpeedtestJob: true };

/** A job name read from Redis is one of ours (anything else is refused, not run). */
export function isTaskName(name: string): name is TaskName {
  return Object.hasOwn(TASK_NAMES, name);
}
