/**
 * Rule packs: the AWS Control Tower proactive controls as @cdklabs/cdk-validator-cfnguard ships
 * them (one .guard file per control, its metadata JSON beside). The bundle does not carry the
 * rules inside its code: `npm run bundle` copies the pack folder beside it and it is read here.
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../model/errors.js';
import type { Severity } from '../model/findings.js';

export const PACK_PACKAGE = '@cdklabs/cdk-validator-cfnguard';
/** Beside the bundle: dist/lib/guard-packs/<pack>/{cfn-guard,metadata}/<service>/... */
export const PACKS_FOLDER = 'guard-packs';
export const PACKS = ['control-tower'] as const;
export type PackName = (typeof PACKS)[number];

export interface Control {
  /** e.g. CT.S3.PR.1 */
  id: string;
  /** Lower-case service folder, e.g. s3. */
  service: string;
  severity: Severity;
  /** The control's own severity word (CRITICAL, HIGH, MEDIUM, LOW), for SARIF's ranking. */
  level: string;
  title: string;
  remediation: string;
  helpUrl?: string;
  /** Absolute path of its rule file. */
  ruleFile: string;
  /** The rule file with its `\w` in ASCII (see packRuleFile), when it has any. */
  asciiRules?: string;
  /** The Guard rule names the file declares, which cfn-guard reports failures under. */
  ruleNames: string[];
  /**
   * The resource types it reports on. A control skips a template without resources of those
   * types (every control's first scenario), so a run without any of them need not evaluate it.
   */
  resourceTypes: string[];
}

interface ControlMetadata {
  Id: string;
  Severity?: string;
  DisplayName?: string;
  Description?: string;
  RemediationMessage?: string;
  DocumentationReferences?: { Url?: string }[];
}

const SEVERITY: Record<string, Severity> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'info',
};

/** The CVSS-like score code scanning ranks an alert by. */
export const SECURITY_SEVERITY: Record<string, string> = {
  CRITICAL: '9.0',
  HIGH: '7.5',
  MEDIUM: '5.0',
  LOW: '2.0',
};

/** Where a pack's folder is: beside the running bundle, else in the installed package. */
export async function packFolder(pack: PackName): Promise<string> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, PACKS_FOLDER, pack);
  if (await isFolder(beside)) return beside;
  try {
    const manifest = createRequire(import.meta.url).resolve(`${PACK_PACKAGE}/package.json`);
    const installed = path.join(path.dirname(manifest), 'rules', pack);
    if (await isFolder(installed)) return installed;
  } catch {
    // not installed: the error below says what to do
  }
  throw new UserError(
    `The "${pack}" guard pack is missing: neither ${PACKS_FOLDER}/${pack} beside the bundle nor the ${PACK_PACKAGE} package was found.`,
    'Rebuild the bundle with `npm run bundle`, or remove the pack from input "guard-packs".',
  );
}

/** Every control of a pack, in id order. */
export async function loadControls(folder: string): Promise<Control[]> {
  const controls: Control[] = [];
  const metadataRoot = path.join(folder, 'metadata');
  for (const service of (await fs.readdir(metadataRoot)).sort()) {
    for (const name of (await fs.readdir(path.join(metadataRoot, service))).sort()) {
      if (!name.endsWith('.metadata.json')) continue;
      const meta = JSON.parse(
        await fs.readFile(path.join(metadataRoot, service, name), 'utf8'),
      ) as ControlMetadata;
      const ruleFile = path.join(
        folder,
        'cfn-guard',
        service,
        name.replace('.metadata.json', '.guard'),
      );
      const rules = await fs.readFile(ruleFile, 'utf8');
      const level = (meta.Severity ?? 'MEDIUM').toUpperCase();
      const helpUrl = meta.DocumentationReferences?.find((d) => d.Url)?.Url;
      // Most files have no `\w` at all: only those are rewritten.
      const ascii = rules.includes('\\w') ? withAsciiWordClass(rules) : rules;
      controls.push({
        id: meta.Id,
        service,
        severity: SEVERITY[level] ?? 'warning',
        level,
        title: meta.DisplayName ?? meta.Description ?? meta.Id,
        remediation: meta.RemediationMessage ?? '',
        ...(helpUrl ? { helpUrl } : {}),
        ruleFile,
        ...(ascii === rules ? {} : { asciiRules: ascii }),
        ruleNames: [...new Set([...rules.matchAll(/^rule\s+(\w+)/gm)].map((m) => m[1]!))],
        resourceTypes: namedResourceTypes(rules),
      });
    }
  }
  return controls.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

/**
 * Inputs guard-controls / guard-skip-controls: control ids (CT.S3.PR.1) or services (s3, CT.S3,
 * certificatemanager or acm).
 * An empty selection keeps every control; a name that matches nothing is an error, not a no-op.
 */
export function selectControls(
  controls: readonly Control[],
  include: readonly string[],
  exclude: readonly string[],
): Control[] {
  const matcher = (input: string) => (name: string) => {
    const wanted = name.toUpperCase().replace(/^CT\./, '');
    // A service by its folder (certificatemanager) or by its part of the id (CT.ACM, acm).
    const matches = (c: Control) =>
      c.id.toUpperCase() === `CT.${wanted}` ||
      c.service.toUpperCase() === wanted ||
      c.id.toUpperCase().split('.')[1] === wanted;
    if (!controls.some(matches)) {
      throw new UserError(
        `Input "${input}" names "${name}", which is no control id or service of the pack.`,
        'Use control ids such as CT.S3.PR.1, or services such as s3.',
      );
    }
    return matches;
  };
  const included = include.map(matcher('guard-controls'));
  const excluded = exclude.map(matcher('guard-skip-controls'));
  return controls.filter(
    (c) => (!included.length || included.some((m) => m(c))) && !excluded.some((m) => m(c)),
  );
}

/**
 * The rule file cfn-guard is given for a control. cfn-guard compiles a regex anew for every value
 * it compares, and Unicode's `\w` is a large class: on the bench corpus CT.IAM.PR.5's one
 * `/^[\w]*[:]*\*$/` cost a third of its time. Every value the pack matches with `\w` (IAM actions,
 * whose service prefixes IAM refuses outside ASCII; ACM certificate ids; GitHub repository names) is
 * ASCII, so ASCII's word class gives the same answers. Files without one are given as shipped.
 */
export async function packRuleFile(control: Control, folder: string): Promise<string> {
  if (control.asciiRules === undefined) return control.ruleFile;
  const file = path.join(folder, path.basename(control.ruleFile));
  await fs.writeFile(file, control.asciiRules);
  return file;
}

/** Guard regex literals (after `=`, `==`, `!=`, `,`, `[`, `(` or IN) with `\w` spelled in ASCII. */
export function withAsciiWordClass(rules: string): string {
  return rules
    .split('\n')
    .map((line) =>
      /^\s*#/.test(line)
        ? line
        : line.replace(
            /(?<=(?:[=,[(]|\bIN)\s*)\/((?:\\.|[^\\/\n])+)\//g,
            (_, body: string) => `/${asciiWordClass(body)}/`,
          ),
    )
    .join('\n');
}

function asciiWordClass(regex: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < regex.length; i++) {
    const ch = regex[i]!;
    if (ch === '\\') {
      const next = regex[i + 1] ?? '';
      i++;
      if (next === 'w') out += inClass ? '0-9A-Za-z_' : '[0-9A-Za-z_]';
      else out += ch + next;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    out += ch;
  }
  return out;
}

const TYPE = /AWS::\w+::\w+/g;

/**
 * The types the rule file's header reports on ("# Reports on:"), spelled as its code spells them
 * (one header writes AutoscalingGroup for AutoScalingGroup). A type the code does not name, or a
 * file without the header, falls back to every type the code names: more rules run, none is lost.
 */
function namedResourceTypes(rules: string): string[] {
  const code = rules.replace(/^\s*#.*$/gm, '');
  const named = [...new Set([...code.matchAll(TYPE)].map((m) => m[0]))].sort();
  const header = /^# Reports on:\n((?:#\s+AWS::.*\n)+)/m.exec(rules)?.[1] ?? '';
  const reported = [...header.matchAll(TYPE)].map((m) =>
    named.find((n) => n.toLowerCase() === m[0].toLowerCase()),
  );
  return reported.length && reported.every(Boolean) ? (reported as string[]).sort() : named;
}

async function isFolder(folder: string): Promise<boolean> {
  return (await fs.stat(folder).catch(() => undefined))?.isDirectory() ?? false;
}
