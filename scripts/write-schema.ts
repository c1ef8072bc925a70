// Writes schemas/iac-stacks.schema.json from src/discover/manifest-schema.ts (a test checks they match).
import fs from 'node:fs';
import { MANIFEST_SCHEMA } from '../src/discover/manifest-schema.js';

fs.writeFileSync('schemas/iac-stacks.schema.json', `${JSON.stringify(MANIFEST_SCHEMA, null, 2)}\n`);
