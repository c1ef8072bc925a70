import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants as zlib } from 'node:zlib';

/**
 * Data packages the bundle cannot carry as they are (the IAM catalogue, the AWS managed policies)
 * travel as brotli-compressed JSON digests that `npm run bundle` writes beside it (dist/lib/).
 */
export function compressDigest(digest: unknown, quality: number): Promise<Buffer> {
  return promisify(brotliCompress)(Buffer.from(JSON.stringify(digest)), {
    params: { [zlib.BROTLI_PARAM_QUALITY]: quality },
  });
}

/** The digest beside the running bundle, parsed; undefined where there is none (from source). */
export async function readDigestBeside(file: string): Promise<unknown> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const compressed = await fs.readFile(path.join(here, file)).catch(() => undefined);
  if (!compressed) return undefined;
  return JSON.parse((await promisify(brotliDecompress)(compressed)).toString('utf8')) as unknown;
}
