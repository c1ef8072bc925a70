// The raw -> curated pipeline: the Glue code in platform/glue/ (its transform functions unit-tested
// with python3), the job that runs it, and the event chain S3 -> EventBridge -> Glue workflow ->
// job -> crawler that starts it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isObject,
  loadTemplate,
  readEnvironment,
  readManifest,
  type JsonObject,
} from './cfn-yaml.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dev = readEnvironment(join(ROOT, 'environments/dev.yaml'));
const glue = loadTemplate(join(ROOT, 'templates/glue.yaml'), dev);
const s3 = loadTemplate(join(ROOT, 'templates/s3.yaml'), dev);
const manifest = readManifest(join(ROOT, 'iac-stacks.yaml'));

function resource(id: string): JsonObject {
  const found = glue.Resources?.[id];
  if (!found) throw new Error(`glue.yaml has no ${id}`);
  return found;
}

function props(id: string): JsonObject {
  const p = resource(id).Properties;
  if (!isObject(p)) throw new Error(`${id} has no Properties`);
  return p;
}

// "s3://${Bucket}/_glue/scripts/x.py" inside a Fn::Sub [string, vars] -> the key part.
function subKey(value: unknown): string {
  const sub = isObject(value) ? value['Fn::Sub'] : undefined;
  const text = Array.isArray(sub) ? sub[0] : sub;
  if (typeof text !== 'string') throw new Error(`not a Fn::Sub: ${JSON.stringify(value)}`);
  return text.replace(/^s3:\/\/\$\{Bucket\}\//, '');
}

describe('Glue code', () => {
  it('passes its Python unit tests (python3 -m unittest, no PySpark)', () => {
    const run = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'platform/tests', '-v'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toMatch(/Ran [1-9]\d* tests/);
    expect(run.stderr).toContain('\nOK');
    expect(run.status).toBe(0);
  });

  it('is what the job runs: script and --extra-py-files live in platform/glue/', () => {
    const job = props('RawToCuratedJob');
    const command = job.Command as JsonObject;
    const args = job.DefaultArguments as JsonObject;
    const script = subKey(command.ScriptLocation);
    const extra = subKey(args['--extra-py-files']);
    expect(script).toBe('_glue/scripts/raw_to_curated.py');
    expect(extra).toBe('_glue/scripts/transforms.py');
    for (const key of [script, extra]) {
      const local = join(ROOT, 'platform/glue', key.replace('_glue/scripts/', ''));
      expect(existsSync(local), local).toBe(true);
    }
    const text = readFileSync(join(ROOT, 'platform/glue/raw_to_curated.py'), 'utf8');
    // Every argument the script reads is one the job passes.
    const wanted = /getResolvedOptions\(sys\.argv, \[([^\]]+)\]\)/.exec(text)?.[1] ?? '';
    const names = [...wanted.matchAll(/"([a-z_A-Z]+)"/g)].map((m) => m[1]);
    expect(names).toContain('source_path');
    for (const name of names.filter((n) => n !== 'JOB_NAME')) {
      expect(Object.keys(args), name).toContain(`--${name}`);
    }
    expect(text).toContain('import transforms');
    expect(text).toContain('job.commit()');
  });

  it('is published by a documented step to the location the job reads', () => {
    const doc = readFileSync(join(ROOT, 'docs/platform.md'), 'utf8');
    expect(doc).toMatch(/aws s3 cp platform\/glue\/ s3:\/\/\S+\/_glue\/scripts\/ --recursive/);
  });
});

describe('raw upload -> EventBridge -> workflow -> job -> crawler', () => {
  it('the lake buckets send their events to EventBridge', () => {
    for (const id of ['RawBucket', 'CuratedBucket']) {
      const p = s3.Resources?.[id]?.Properties as JsonObject;
      expect(p.NotificationConfiguration, id).toEqual({
        EventBridgeConfiguration: { EventBridgeEnabled: true },
      });
    }
  });

  it('a rule matches Object Created in raw outside _glue/ and targets the workflow', () => {
    const rule = props('RawUploadRule');
    const pattern = rule.EventPattern as JsonObject;
    expect(pattern.source).toEqual(['aws.s3']);
    expect(pattern['detail-type']).toEqual(['Object Created']);
    const detail = pattern.detail as JsonObject;
    const bucketNames = (detail.bucket as JsonObject).name as JsonObject[];
    expect(JSON.stringify(bucketNames)).toContain('RawBucketName');
    expect((detail.object as JsonObject).key).toEqual([{ 'anything-but': { prefix: '_glue/' } }]);
    const [target] = rule.Targets as JsonObject[];
    expect(JSON.stringify(target?.Arn)).toContain(':workflow/${Workflow}');
    expect(JSON.stringify(target?.RoleArn)).toContain('WorkflowEventsRoleArn');
    expect(manifest.stacks.glue?.parameters?.WorkflowEventsRoleArn).toBe(
      '${stacks.iam.outputs.GlueWorkflowEventsRoleArn}',
    );
  });

  it('the workflow starts the job on events, then the crawler when the job succeeded', () => {
    const start = props('StartOnRawUpload');
    expect(start.Type).toBe('EVENT');
    expect(start.WorkflowName).toEqual({ Ref: 'Workflow' });
    expect(start.Actions).toEqual([{ JobName: { Ref: 'RawToCuratedJob' } }]);
    const crawl = props('CrawlAfterJob');
    expect(crawl.Type).toBe('CONDITIONAL');
    expect(crawl.WorkflowName).toEqual({ Ref: 'Workflow' });
    expect(crawl.StartOnCreation).toBe(true);
    expect((crawl.Predicate as JsonObject).Conditions).toEqual([
      { LogicalOperator: 'EQUALS', JobName: { Ref: 'RawToCuratedJob' }, State: 'SUCCEEDED' },
    ]);
    expect(crawl.Actions).toEqual([{ CrawlerName: { Ref: 'CuratedCrawler' } }]);
    // Bookmarks make each event-driven run read only the new files.
    const args = props('RawToCuratedJob').DefaultArguments as JsonObject;
    expect(args['--job-bookmark-option']).toBe('job-bookmark-enable');
  });
});
