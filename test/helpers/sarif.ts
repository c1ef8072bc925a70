import fs from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { FIXTURES } from './paths.js';

const schemaFile = path.join(FIXTURES, 'sarif/sarif-schema-2.1.0.json');

/** A validator of the SARIF 2.1.0 schema. */
export async function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(await fs.readFile(schemaFile, 'utf8')));
}

/** The parts of a SARIF log the tests read. */
export interface SarifLog {
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri: string;
        rules: { id: string; helpUri?: string; shortDescription: { text: string } }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> };
      }[];
      partialFingerprints: Record<string, string>;
    }[];
  }[];
}
