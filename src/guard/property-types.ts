/**
 * Which properties CloudFormation converts to booleans and numbers, from the resource schemas
 * (property-types.json, written by scripts/property-types.ts from cfn-lint's). Loaded only by a
 * run that evaluates Guard rules: the bundle keeps it in a chunk of its own.
 */

/** 'b' a boolean, 'n' a number; else the properties of an object, '*' the items of a list. */
export type TypeTree = 'b' | 'n' | { readonly [key: string]: TypeTree };
export type PropertyTypes = Readonly<Record<string, TypeTree>>;

let loading: Promise<PropertyTypes> | undefined;

export function loadPropertyTypes(): Promise<PropertyTypes> {
  loading ??= import('./property-types.json', { with: { type: 'json' } }).then(
    (digest) => digest.default.types as unknown as PropertyTypes,
  );
  return loading;
}

/** The tree below one key; own keys only (a template's key may be `constructor`). */
export function typeBelow(tree: TypeTree | undefined, key: string): TypeTree | undefined {
  return tree && typeof tree === 'object' && Object.hasOwn(tree, key) ? tree[key] : undefined;
}
