import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ZipFile } from 'yazl';
import type { CdkFileAsset } from '../model/cdk.js';
import { UserError } from '../model/errors.js';
import type { Logger } from '../model/logger.js';
import { s3Sdk, type AwsClients } from './aws.js';

/** An asset is the app's code: generous, but a planted giant folder must not fill the runner. */
const MAX_ASSET_BYTES = 256 * 1024 * 1024;
const MAX_ASSET_FILES = 20_000;
const MAX_ASSET_DEPTH = 32;

/**
 * Publish file assets to their destinations as `cdk-assets` does: a folder (packaging zip) is
 * zipped with fixed dates in a stable order, a file uploaded as is, and an object that already
 * exists under its key (the key is the content's hash) is left alone. Each destination is written
 * with its own role (the bootstrap file-publishing role) when it names one.
 */
export async function publishFileAssets(
  stackName: string,
  assets: readonly CdkFileAsset[],
  aws: AwsClients,
  log: Logger,
): Promise<void> {
  const sdk = await s3Sdk();
  for (const asset of assets) {
    let body: Buffer | undefined;
    for (const destination of asset.destinations) {
      const clients = destination.role
        ? await aws.assumeRole(destination.role, destination.region)
        : aws;
      const s3 = await clients.s3(destination.region);
      const where = `s3://${destination.bucket}/${destination.key}`;
      const present = await s3
        .send(new sdk.HeadObjectCommand({ Bucket: destination.bucket, Key: destination.key }))
        .then(
          () => true,
          (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
            if (error.name === 'NotFound' || error.$metadata?.httpStatusCode === 404) return false;
            throw publishError(stackName, asset, where, error);
          },
        );
      if (present) {
        log.info(`${stackName}: asset ${asset.id} is already at ${where}.`);
        continue;
      }
      body ??= asset.packaging === 'zip' ? await zipFolder(asset) : await readAssetFile(asset);
      await s3
        .send(
          new sdk.PutObjectCommand({
            Bucket: destination.bucket,
            Key: destination.key,
            Body: body,
            ContentType: asset.packaging === 'zip' ? 'application/zip' : undefined,
          }),
        )
        .catch((error: unknown) => {
          throw publishError(stackName, asset, where, error);
        });
      log.info(`${stackName}: published asset ${asset.id} (${body.length} bytes) to ${where}.`);
    }
  }
}

function publishError(stackName: string, asset: CdkFileAsset, where: string, error: unknown) {
  const reason = error instanceof Error ? error.message : String(error);
  return new UserError(
    `Stack ${stackName}: asset ${asset.id} could not be published to ${where}: ${reason}`,
    'The credentials need s3:GetObject, s3:PutObject and s3:ListBucket on the CDK assets bucket (the bootstrap file-publishing role has them): bootstrap the environment with `cdk bootstrap`.',
  );
}

const refuse = (asset: CdkFileAsset, why: string): never => {
  throw new UserError(`Asset ${asset.id} (${asset.file}): ${why}.`, 'Run `cdk synth` again.');
};

/** Read a regular file without following a link, within the size limit. */
async function readRegular(asset: CdkFileAsset, name: string, budget: { bytes: number }) {
  const file = name ? path.join(asset.source, name) : asset.source;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return refuse(
      asset,
      code === 'ELOOP'
        ? `${name || 'it'} is a symbolic link, which is not followed`
        : `${name || 'it'} cannot be read (${code ?? String(error)})`,
    );
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) refuse(asset, `${name || 'it'} is not a regular file`);
    budget.bytes -= stat.size;
    if (budget.bytes < 0) refuse(asset, `larger than ${MAX_ASSET_BYTES} bytes`);
    return { data: await handle.readFile(), mode: stat.mode };
  } finally {
    await handle.close();
  }
}

async function readAssetFile(asset: CdkFileAsset): Promise<Buffer> {
  return (await readRegular(asset, '', { bytes: MAX_ASSET_BYTES })).data;
}

/** Every regular file below the folder, sorted, as zip paths; links are refused, not followed. */
async function listFolder(asset: CdkFileAsset): Promise<string[]> {
  const files: string[] = [];
  const walk = async (relative: string, depth: number) => {
    if (depth > MAX_ASSET_DEPTH) refuse(asset, `folders nested deeper than ${MAX_ASSET_DEPTH}`);
    const entries = await fs.readdir(path.join(asset.source, relative), { withFileTypes: true });
    for (const entry of entries) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink())
        refuse(asset, `${name} is a symbolic link, which is not followed`);
      if (entry.isDirectory()) await walk(name, depth + 1);
      else if (entry.isFile()) files.push(name);
      if (files.length > MAX_ASSET_FILES) refuse(asset, `more than ${MAX_ASSET_FILES} files`);
    }
  };
  const stat = await fs.lstat(asset.source).catch(() => undefined);
  if (!stat?.isDirectory()) refuse(asset, 'packaging zip needs a folder, which does not exist');
  await walk('', 0);
  return files.sort();
}

async function zipFolder(asset: CdkFileAsset): Promise<Buffer> {
  const zip = new ZipFile();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
  const budget = { bytes: MAX_ASSET_BYTES };
  for (const name of await listFolder(asset)) {
    const { data, mode } = await readRegular(asset, name, budget);
    // cdk-assets' settings: a fixed date and DOS timestamps only, so the bytes do not vary.
    zip.addBuffer(data, name, { mtime: new Date(1980, 0, 1), mode, forceDosTimestamp: true });
  }
  zip.end();
  return done;
}
