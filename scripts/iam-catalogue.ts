// Write the IAM catalogue digest the bundle reads (see src/policies/catalogue.ts): usage
// `tsx scripts/iam-catalogue.ts dist/lib/iam-catalogue.json.br`.
import fs from 'node:fs/promises';
import { buildDigest } from '../src/policies/catalogue.js';

const target = process.argv[2];
if (!target) throw new Error('usage: tsx scripts/iam-catalogue.ts <output file>');
const digest = await buildDigest();
await fs.writeFile(target, digest);
console.log(`${target}: ${(digest.byteLength / 1024).toFixed(0)} KiB`);
