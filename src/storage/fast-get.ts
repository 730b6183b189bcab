/**
 * GET of one object without the SDK's middleware stack: the request signed by the SDK's own SigV4
 * signer (`@smithy/signature-v4`, the client's credentials provider, region and hash; it caches the
 * signing key and refreshes expiring credentials) and sent on a keep-alive agent. Measured here on
 * the test gateway, the SDK spends about 4 ms of CPU per GET in endpoint resolution, serialisation
 * and middleware; this path well under 1 ms (bench/object-storage.ts: `cpuSecondsPer1000Gets`). On a
 * machine whose cores the object server shares, CPU a reader does not spend is requests the server
 * answers; image datasets are thousands of small GETs. Only success is handled here: any other
 * status returns undefined and the caller repeats the request through the SDK, whose error carries
 * the server's code (NoSuchKey, AccessDenied...) for src/storage/storage-errors.ts.
 */
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { STORAGE_DEFAULTS } from '../options/storage.js';

/** S3's URI encoding of a key: every byte but unreserved characters and "/" percent-encoded. */
export function encodeKey(key: string): string {
  return key.split('/').map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

export interface FastResponse {
  size: number;
  body: IncomingMessage;
}

/** Where this bucket's GETs go: fixed for the store's life once the region is known. */
interface Target {
  https: boolean;
  hostname: string;
  port?: number;
  /** The Host header (with the port when one is given). */
  host: string;
  /** Path up to the key: `/bucket/` (path-style, a configured endpoint) or `/` (virtual-hosted, AWS). */
  prefix: string;
  signer: SignatureV4;
}

export class FastGet {
  private target?: Target;

  constructor(
    private readonly client: S3Client,
    private readonly endpoint: string | undefined,
    private readonly bucket: string,
    private readonly agents: { http: HttpAgent; https: HttpsAgent },
  ) {}

  /** Where the GETs go and their signer, resolved once: the region is fixed for the store's life. */
  private async resolve(): Promise<Target> {
    const config = this.client.config;
    const region = await config.region();
    const signer = new SignatureV4({ credentials: config.credentials, region, service: 's3', sha256: config.sha256, uriEscapePath: false, applyChecksum: false });
    if (this.endpoint) {
      const url = new URL(this.endpoint);
      const port = url.port ? Number(url.port) : undefined;
      return { https: url.protocol === 'https:', hostname: url.hostname, port, host: url.host, prefix: `/${this.bucket}/`, signer };
    }
    const hostname = `${this.bucket}.s3.${region}.amazonaws.com`;
    return { https: true, hostname, host: hostname, prefix: '/', signer };
  }

  /** The object (or a range) when the server answers 200 / 206; undefined for any other status. */
  async get(key: string, range: string | undefined): Promise<FastResponse | undefined> {
    const target = (this.target ??= await this.resolve());
    const path = target.prefix + encodeKey(key);
    const { headers } = await target.signer.sign({
      method: 'GET', protocol: target.https ? 'https:' : 'http:', hostname: target.hostname, port: target.port, path, query: {},
      headers: { host: target.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...(range ? { range } : {}) },
    });
    const options: RequestOptions = {
      method: 'GET', host: target.hostname, port: target.port, path, headers, agent: target.https ? this.agents.https : this.agents.http,
    };
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (target.https ? httpsRequest : httpRequest)(options, resolve);
      req.setTimeout(STORAGE_DEFAULTS.requestTimeoutMs, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    });
    const status = response.statusCode ?? 0;
    if (status !== 200 && status !== 206) {
      response.resume();
      return undefined;
    }
    const total = status === 206 ? /\/(\d+)$/.exec(String(response.headers['content-range'] ?? ''))?.[1] : undefined;
    return { size: total !== undefined ? Number(total) : Number(response.headers['content-length'] ?? 0), body: response };
  }
}
