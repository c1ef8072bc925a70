import type { Environment } from '../discover/environment.js';
import { parseManifest, resolveStacks } from '../discover/manifest.js';
import { describeError } from '../model/errors.js';
import type { Settings } from '../model/settings.js';
import type { StackSelection, StackSpec } from '../model/stacks.js';
import { readAtCommit, resolveBase } from './base.js';

/**
 * The stacks of the manifest at the base commit (input base-ref, or the pull request's base) that
 * the manifest no longer has, under a stack name no stack of it uses. Undefined without a base;
 * a base or old manifest that cannot be read is a notice, never a failed run.
 */
export async function removedStacks(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  current: StackSelection,
  environment: Environment | undefined,
  notices: string[],
): Promise<{ stacks: StackSpec[]; manifestFile: string; base: string } | undefined> {
  const file = settings.deploy.stacksFile;
  try {
    const base = await resolveBase(settings.workspace, settings.deploy.baseRef, env);
    if (!base) return undefined;
    const text = await readAtCommit(settings.workspace, base.sha, file);
    if (text === undefined) return undefined;
    const old = parseManifest(text, file);
    const gone = Object.keys(old.stacks).filter((id) => !current.all.has(id));
    if (!gone.length) return undefined;
    const names = new Set([...current.all.values()].map((s) => `${s.region}/${s.stackName}`));
    const resolved = await resolveStacks(old, {
      workspace: settings.workspace,
      selection: gone,
      ...(environment ? { environment } : {}),
    });
    const stacks = resolved.selected.filter((s) => !names.has(`${s.region}/${s.stackName}`));
    return stacks.length ? { stacks, manifestFile: file, base: base.name } : undefined;
  } catch (error) {
    notices.push(
      `Stacks that left ${file} were not looked for: its version at the base commit could not be read (${describeError(error).split('\n')[0]}).`,
    );
    return undefined;
  }
}
