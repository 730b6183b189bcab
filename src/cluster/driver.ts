import { PipelineError } from '../errors.js';

export async function convertOnCluster(_options: unknown): Promise<never> {
  throw new PipelineError('USAGE', '--redis: cluster mode is not available in this version');
}
