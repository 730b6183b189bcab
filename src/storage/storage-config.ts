/**
 * This thread's object-storage settings (`--endpoint`), apart from the client (src/storage/object-store.ts)
 * so that a command can set them without loading the AWS SDK: a local convert never loads it.
 */

/** Where to send requests: `--endpoint`, else AWS_ENDPOINT_URL(_S3), else the provider's own. */
export interface StorageConfig {
  endpoint?: string;
  region?: string;
}

let threadConfig: StorageConfig = {};

/**
 * The command's `--endpoint` for every URL this thread opens without a config of its own (readers
 * deep in the TFRecord code need not pass it along). Commands and worker tasks set it at their start.
 */
export function useStorageConfig(config: StorageConfig | undefined): void {
  threadConfig = config?.endpoint || config?.region ? { ...config } : {};
}

/** The settings `useStorageConfig` last set on this thread. */
export function storageConfig(): StorageConfig {
  return threadConfig;
}
