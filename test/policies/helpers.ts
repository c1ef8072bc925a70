import fs from 'node:fs';
import path from 'node:path';
import { readSettings, type InputName, type Settings } from '../../src/model/settings.js';
import { parseTemplate, type ParsedTemplate } from '../../src/parse/template.js';

export function template(text: string, file = 'templates/t.yaml'): ParsedTemplate {
  const parsed = parseTemplate(text, file);
  if (!parsed.ok) throw new Error(parsed.finding.message);
  return parsed.template;
}

export function fixture(name: string): ParsedTemplate {
  const file = path.join('test/fixtures/policies', name);
  return template(fs.readFileSync(file, 'utf8'), file);
}

/** Settings as the action would read them from these inputs. */
export function settingsFor(
  inputs: Partial<Record<InputName, string>>,
  env: NodeJS.ProcessEnv = {},
): Settings {
  return readSettings((name) => inputs[name], { env, workspace: process.cwd() });
}

/** A template with the given Resources section (YAML, indented by four spaces). */
export function withResources(resources: string, extra = ''): ParsedTemplate {
  return template(`AWSTemplateFormatVersion: '2010-09-09'\n${extra}Resources:\n${resources}`);
}
