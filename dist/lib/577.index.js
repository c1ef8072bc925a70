export const id = 577;
export const ids = [577];
export const modules = {

/***/ 1577:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  knownParameters: () => (/* reexport */ knownParameters),
  loadManifest: () => (/* reexport */ loadManifest),
  resolveStacks: () => (/* reexport */ resolveStacks),
  runDeployStage: () => (/* binding */ runDeployStage)
});

// EXTERNAL MODULE: ./node_modules/p-limit/index.js + 1 modules
var p_limit = __webpack_require__(370);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(4296);
// EXTERNAL MODULE: ./src/parse/nodes.ts
var nodes = __webpack_require__(3074);
// EXTERNAL MODULE: ./src/deploy/aws.ts
var aws = __webpack_require__(1498);
;// CONCATENATED MODULE: ./src/deploy/events.ts

/** Pages read per poll at most: a poll never walks a long stack history. */
const MAX_PAGES = 20;
/**
 * Follows a stack's events: DescribeStackEvents answers newest first, so each poll reads pages
 * until it meets an event it has already seen (or the newest one from before the operation), and
 * hands the new ones over oldest first, each exactly once.
 */
class EventStream {
    client;
    stackName;
    print;
    seen = new Set();
    /** Every event of this operation, oldest first. */
    events = [];
    constructor(client, stackName, print) {
        this.client = client;
        this.stackName = stackName;
        this.print = print;
    }
    /** Remember the events that happened before the operation, so they are not printed. */
    async start() {
        for (const event of await this.fetchNew())
            this.seen.add(event.EventId ?? '');
    }
    async poll() {
        const fresh = (await this.fetchNew()).reverse();
        for (const event of fresh) {
            this.seen.add(event.EventId ?? '');
            this.events.push(event);
            this.print(event);
        }
        return fresh;
    }
    /** Events newer than anything seen, newest first. */
    async fetchNew() {
        const sdk = await (0,aws/* cloudFormationSdk */.RH)();
        const fresh = [];
        let token;
        for (let page = 0; page < MAX_PAGES; page++) {
            let answer;
            try {
                answer = await this.client.send(new sdk.DescribeStackEventsCommand({ StackName: this.stackName, NextToken: token }));
            }
            catch (error) {
                if (isMissingStack(error))
                    return fresh;
                throw error;
            }
            for (const event of answer.StackEvents ?? []) {
                if (this.seen.has(event.EventId ?? ''))
                    return fresh;
                fresh.push(event);
            }
            token = answer.NextToken;
            if (!token)
                break;
        }
        return fresh;
    }
}
/** One log line per event: time, resource, type, status and reason. */
function formatEvent(event) {
    const time = event.Timestamp ? new Date(event.Timestamp).toISOString().slice(11, 19) : '--:--:--';
    const reason = event.ResourceStatusReason ? ` ${oneLine(event.ResourceStatusReason)}` : '';
    return `${time} ${event.LogicalResourceId ?? '?'} ${event.ResourceType ?? ''} ${event.ResourceStatus ?? ''}${reason}`;
}
/**
 * The resource that made the operation fail: the oldest failed resource event whose reason is
 * not a knock-on cancellation; the stack's own failure event only when no resource failed.
 */
function firstFailure(events, stackName) {
    const failed = events.filter((e) => /FAILED$/.test(e.ResourceStatus ?? ''));
    const own = (e) => e.ResourceType === 'AWS::CloudFormation::Stack' && e.LogicalResourceId === stackName;
    const pick = failed.find((e) => !own(e) && !/cancell?ed/i.test(e.ResourceStatusReason ?? '')) ??
        failed.find((e) => !own(e)) ??
        failed[0];
    return pick
        ? {
            logicalId: pick.LogicalResourceId ?? stackName,
            reason: oneLine(pick.ResourceStatusReason ?? 'no reason given'),
        }
        : undefined;
}
function oneLine(text) {
    return text.replace(/\s+/g, ' ').trim();
}
function isMissingStack(error) {
    return error instanceof Error && /does not exist/i.test(error.message);
}

// EXTERNAL MODULE: ./src/deploy/wait.ts
var wait = __webpack_require__(5158);
;// CONCATENATED MODULE: ./src/deploy/changeset.ts



/** The messages CloudFormation gives a change set that would change nothing. */
const NO_CHANGES = /didn't contain changes|No updates are to be performed/i;
/** The stack by name, or undefined when it does not exist. */
async function describeStack(client, stackName) {
    const sdk = await (0,aws/* cloudFormationSdk */.RH)();
    try {
        const answer = await client.send(new sdk.DescribeStacksCommand({ StackName: stackName }));
        const stack = answer.Stacks?.[0];
        return stack?.StackStatus === 'DELETE_COMPLETE' ? undefined : stack;
    }
    catch (error) {
        if (isMissingStack(error))
            return undefined;
        throw error;
    }
}
/** Returns the change set's ARN: later calls use it, so same-named sets of other stacks never match. */
async function createChangeSet(client, request) {
    const sdk = await (0,aws/* cloudFormationSdk */.RH)();
    const parameters = Object.entries(request.parameters).map(([key, value]) => ({
        ParameterKey: key,
        ParameterValue: value,
    }));
    const answer = await client.send(new sdk.CreateChangeSetCommand({
        StackName: request.stackName,
        ChangeSetName: request.changeSetName,
        ChangeSetType: request.type,
        ...('body' in request.template
            ? { TemplateBody: request.template.body }
            : { TemplateURL: request.template.url }),
        Parameters: parameters,
        Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
        Capabilities: request.capabilities,
        ...(request.roleArn ? { RoleARN: request.roleArn } : {}),
        IncludeNestedStacks: false,
        Description: 'Created by iac-action',
    }));
    return answer.Id ?? request.changeSetName;
}
/** The ARN of a stack's change set by name (mode execute), or undefined when there is none. */
async function findChangeSet(client, stackName, changeSetName) {
    const sdk = await (0,aws/* cloudFormationSdk */.RH)();
    let token;
    do {
        const page = await client.send(new sdk.ListChangeSetsCommand({ StackName: stackName, NextToken: token }));
        const found = page.Summaries?.find((s) => s.ChangeSetName === changeSetName && s.StackName === stackName);
        if (found)
            return found.ChangeSetId ?? changeSetName;
        token = page.NextToken;
    } while (token);
    return undefined;
}
/**
 * Wait for the change set to be computed, then read every page of its changes with property
 * values. An empty change set is reported as such, not as a failure.
 */
async function awaitChangeSet(client, stackName, changeSetName, poller, deadline) {
    const sdk = await (0,aws/* cloudFormationSdk */.RH)();
    const describe = (token) => client.send(new sdk.DescribeChangeSetCommand({
        StackName: stackName,
        ChangeSetName: changeSetName,
        IncludePropertyValues: true,
        NextToken: token,
    }));
    const first = await (0,wait/* pollUntil */.g3)(poller, deadline, `change set ${changeSetName} of stack ${stackName}`, async () => {
        const answer = await describe();
        return /PENDING|IN_PROGRESS/.test(answer.Status ?? '') ? undefined : answer;
    });
    if (first.Status === 'FAILED') {
        const reason = oneLine(first.StatusReason ?? 'no reason given');
        return NO_CHANGES.test(reason) ? { status: 'empty' } : { status: 'failed', reason };
    }
    const changes = [...(first.Changes ?? [])];
    for (let token = first.NextToken; token;) {
        const page = await describe(token);
        changes.push(...(page.Changes ?? []));
        token = page.NextToken;
    }
    if (first.ExecutionStatus && first.ExecutionStatus !== 'AVAILABLE' && changes.length) {
        return {
            status: 'failed',
            reason: `change set is ${first.ExecutionStatus}, not AVAILABLE for execution`,
        };
    }
    return changes.length ? { status: 'ready', changes } : { status: 'empty' };
}
async function deleteChangeSet(client, stackName, changeSetName) {
    const sdk = await (0,aws/* cloudFormationSdk */.RH)();
    await client.send(new sdk.DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }));
}
/** A change-set name unique to this run and attempt, so leftovers never collide. */
function changeSetNameFor(env, now) {
    const run = env.GITHUB_RUN_ID
        ? `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`
        : `${now}`;
    return `iac-action-${run}`.replace(/[^-A-Za-z0-9]/g, '-').slice(0, 128);
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/deploy/guard.ts
var guard = __webpack_require__(5962);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./src/discover/environment.ts
var environment = __webpack_require__(1746);
// EXTERNAL MODULE: ./src/discover/paths.ts
var paths = __webpack_require__(2699);
;// CONCATENATED MODULE: ./src/deploy/manifest-schema.ts
/**
 * The stack manifest's JSON Schema. The code validates manifests with it (src/deploy/schema-check.ts)
 * and schemas/iac-stacks.schema.json publishes it for editors; a test keeps the file equal to this.
 */
const scalar = { type: ['string', 'number', 'boolean'] };
const stackKeys = {
    template: {
        type: 'string',
        minLength: 1,
        description: 'Repository-relative template path; *.njk templates are rendered with the environment.',
    },
    'stack-name': {
        type: 'string',
        minLength: 1,
        maxLength: 128,
        description: 'CloudFormation stack name; ${environment} is replaced. Default: the stack id.',
    },
    parameters: {
        type: 'object',
        description: "Parameter values. ${environment} and ${stacks.<id>.outputs.<OutputKey>} (a depends-on stack's output) are replaced.",
        additionalProperties: { anyOf: [scalar, { type: 'array', items: scalar }] },
    },
    'parameter-files': {
        type: 'array',
        description: 'YAML or JSON files: a map of parameter values, or [{ParameterKey, ParameterValue}] as CloudFormation writes them.',
        items: { type: 'string', minLength: 1 },
    },
    tags: { type: 'object', additionalProperties: scalar },
    capabilities: {
        type: 'array',
        items: { enum: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] },
    },
    'termination-protection': { type: 'boolean' },
    'disable-rollback': {
        type: 'boolean',
        description: 'Keep failed resources for debugging instead of rolling back.',
    },
    'role-arn': { type: 'string', description: 'CloudFormation service role.' },
    region: {
        type: 'string',
        pattern: '^([a-z]{2}(-[a-z]+)+-\\d+)?$',
        description: "Default: the action's aws-region.",
    },
    'depends-on': {
        type: 'array',
        description: 'Stack ids deployed before this one.',
        items: { type: 'string', minLength: 1 },
    },
};
function omit(object, ...keys) {
    return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}
/** Keys an environment may override: all but the template's place in the graph. */
const overridable = omit(stackKeys, 'depends-on');
/** Keys that make sense for every stack. */
const defaultable = omit(stackKeys, 'template', 'stack-name', 'depends-on');
const MANIFEST_SCHEMA = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/iac-action/iac-action/schemas/iac-stacks.schema.json',
    title: 'iac-action stack manifest',
    description: 'Maps each CloudFormation stack to its template, parameters, tags and dependencies.',
    type: 'object',
    required: ['stacks'],
    additionalProperties: false,
    properties: {
        defaults: {
            type: 'object',
            description: 'Applied to every stack; stacks add to (tags, capabilities) or override them.',
            additionalProperties: false,
            properties: defaultable,
        },
        stacks: {
            type: 'object',
            minProperties: 1,
            propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_-]*$' },
            additionalProperties: {
                type: 'object',
                required: ['template'],
                additionalProperties: false,
                properties: {
                    ...stackKeys,
                    environments: {
                        type: 'object',
                        description: 'Per-environment overrides of the keys above.',
                        additionalProperties: {
                            type: 'object',
                            additionalProperties: false,
                            properties: overridable,
                        },
                    },
                },
            },
        },
    },
};

;// CONCATENATED MODULE: ./src/deploy/schema-check.ts

const TYPE_WORDS = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    number: 'a number',
    boolean: 'true or false',
};
function checkSchema(doc, schema, lines) {
    const problems = [];
    const at = (node, fallback) => {
        const offset = (node ?? fallback)?.range?.[0] ?? 0;
        const pos = lines.linePos(offset);
        return { line: pos.line, column: pos.col };
    };
    const resolve = (node) => (0,dist/* isAlias */.Vj)(node) ? (node.resolve(doc) ?? null) : (node ?? null);
    const typeOf = (node) => {
        if ((0,dist/* isMap */.jh)(node))
            return 'object';
        if ((0,dist/* isSeq */.oP)(node))
            return 'array';
        if ((0,dist/* isScalar */.jn)(node)) {
            const v = node.value;
            return v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v;
        }
        return 'null';
    };
    const visit = (node, s, path, parent, out) => {
        const add = (message, where = node) => out.push({ path, ...at(where, parent), message: `${path || 'the manifest'} ${message}` });
        if (s.anyOf) {
            const fits = s.anyOf.some((option) => {
                const trial = [];
                visit(node, option, path, parent, trial);
                return trial.length === 0;
            });
            if (!fits)
                add('must be a string, number, true/false, or a list of them');
            return;
        }
        const actual = typeOf(node);
        if (s.type) {
            const allowed = typeof s.type === 'string' ? [s.type] : s.type;
            if (!allowed.includes(actual)) {
                const words = allowed.map((t) => TYPE_WORDS[t] ?? t);
                add(`must be ${words.join(' or ')}${actual === 'null' ? ', but it is empty' : ''}`);
                return;
            }
        }
        if (s.enum && !s.enum.includes((0,dist/* isScalar */.jn)(node) ? node.value : undefined)) {
            add(`is ${JSON.stringify((0,dist/* isScalar */.jn)(node) ? node.value : actual)}; allowed: ${s.enum.join(', ')}`);
            return;
        }
        if ((0,dist/* isScalar */.jn)(node) && typeof node.value === 'string') {
            const v = node.value;
            if (s.minLength !== undefined && v.length < s.minLength)
                add('must not be empty');
            if (s.maxLength !== undefined && v.length > s.maxLength)
                add(`is ${v.length} characters long; at most ${s.maxLength} are allowed`);
            if (s.pattern && !new RegExp(s.pattern, 'u').test(v))
                add(`"${v}" is not valid (it must match ${s.pattern})`);
        }
        if ((0,dist/* isSeq */.oP)(node) && s.items) {
            node.items.forEach((item, i) => visit(resolve(item), s.items, `${path}[${i}]`, node, out));
        }
        if ((0,dist/* isMap */.jh)(node)) {
            const keys = new Set();
            for (const pair of node.items) {
                const keyNode = resolve(pair.key);
                const key = String((0,dist/* isScalar */.jn)(keyNode) ? keyNode.value : keyNode);
                keys.add(key);
                const keyPath = path ? `${path}.${key}` : key;
                if (s.propertyNames && !new RegExp(s.propertyNames.pattern, 'u').test(key)) {
                    out.push({
                        path: keyPath,
                        ...at(keyNode, node),
                        message: `"${key}" in ${path} is not a valid id (it must match ${s.propertyNames.pattern})`,
                    });
                }
                const sub = s.properties?.[key] ?? s.additionalProperties;
                if (sub === false) {
                    const allowed = Object.keys(s.properties ?? {});
                    out.push({
                        path: keyPath,
                        ...at(keyNode, node),
                        message: `unknown key "${key}" in ${path || 'the manifest'}; allowed: ${allowed.join(', ')}`,
                    });
                    continue;
                }
                if (sub && sub !== true)
                    visit(resolve(pair.value), sub, keyPath, keyNode, out);
            }
            for (const key of s.required ?? [])
                if (!keys.has(key))
                    add(`needs the key "${key}"`);
            if (s.minProperties !== undefined && keys.size < s.minProperties)
                add(`needs at least ${s.minProperties} entr${s.minProperties === 1 ? 'y' : 'ies'}`);
        }
    };
    visit(resolve(doc.contents), schema, '', null, problems);
    return problems;
}

;// CONCATENATED MODULE: ./src/deploy/manifest.ts






const CAPABILITY_ORDER = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];
/** `${environment}`, `${stacks.ID.outputs.KEY}`, or any other `${...}` (an error); `$${` is literal. */
const VARIABLE = /\$?\$\{([^}]*)\}/g;
/** A value that waits for another stack's output (not the escaped `$${`). */
const OUTPUT_REF_ANYWHERE = /(^|[^$])\$\{stacks\./;
const OUTPUT_REF = /^stacks\.([A-Za-z][A-Za-z0-9_-]*)\.outputs\.([A-Za-z0-9]+)$/;
/** Read and check the manifest; every problem names the file, line and key. */
async function loadManifest(workspace, file) {
    const found = await (0,paths/* readConfigFile */.RG)(workspace, file, 'Stack manifest');
    if (!found) {
        throw new errors/* UserError */.y(`Stack manifest "${file}" was not found.`, 'Create it (see docs/deploy.md) or set input "stacks-file" to its path.');
    }
    return parseManifest(found.text, found.file);
}
function parseManifest(text, file) {
    const lines = new dist/* LineCounter */.HN();
    const doc = (0,dist/* parseDocument */.Tp)(text, { lineCounter: lines, prettyErrors: false });
    const syntax = doc.errors[0];
    if (syntax) {
        const pos = lines.linePos(syntax.pos[0]);
        throw new errors/* UserError */.y(`${file}:${pos.line}:${pos.col}: not valid YAML: ${syntax.message.split('\n')[0]}`);
    }
    const problems = checkSchema(doc, MANIFEST_SCHEMA, lines);
    if (problems.length) {
        throw new errors/* UserError */.y(problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`).join('\n'), 'The format is described by schemas/iac-stacks.schema.json and docs/deploy.md.');
    }
    const data = (doc.toJS({ maxAliasCount: 50 }) ?? {});
    const manifest = {
        file,
        defaults: data.defaults ?? {},
        stacks: data.stacks,
        where: (...path) => `${file}:${lineOf(doc, lines, path)}`,
    };
    checkGraph(manifest);
    return manifest;
}
function lineOf(doc, lines, path) {
    for (let n = path.length; n > 0; n--) {
        const node = doc.getIn(path.slice(0, n), true);
        if (node?.range)
            return lines.linePos(node.range[0]).line;
    }
    return 1;
}
/** depends-on names existing stacks and has no cycle. */
function checkGraph(manifest) {
    for (const [id, stack] of Object.entries(manifest.stacks)) {
        (stack['depends-on'] ?? []).forEach((dep, i) => {
            if (!manifest.stacks[dep]) {
                throw new errors/* UserError */.y(`${manifest.where('stacks', id, 'depends-on', i)}: stacks.${id}.depends-on names "${dep}", which is not a stack in ${manifest.file}.`, `Known stacks: ${Object.keys(manifest.stacks).join(', ')}.`);
            }
        });
    }
    const state = new Map();
    const visit = (id, trail) => {
        if (state.get(id) === 'done')
            return;
        if (state.get(id) === 'visiting') {
            const cycle = [...trail.slice(trail.indexOf(id)), id];
            throw new errors/* UserError */.y(`${manifest.where('stacks', id, 'depends-on')}: depends-on forms a cycle: ${cycle.join(' -> ')}.`);
        }
        state.set(id, 'visiting');
        for (const dep of manifest.stacks[id]?.['depends-on'] ?? [])
            visit(dep, [...trail, id]);
        state.set(id, 'done');
    };
    for (const id of Object.keys(manifest.stacks))
        visit(id, []);
}
/**
 * Apply defaults and the environment to every stack, load parameter files, and select the stacks
 * to act on. Order: dependencies before the stacks that need them.
 */
async function resolveStacks(manifest, options) {
    const unknown = options.selection.filter((id) => !manifest.stacks[id]);
    if (unknown.length) {
        throw new errors/* UserError */.y(`Input "stacks" names ${unknown.map((id) => `"${id}"`).join(', ')}, not found in ${manifest.file}.`, `Known stacks: ${Object.keys(manifest.stacks).join(', ')}.`);
    }
    const all = new Map();
    for (const id of dependencyOrder(manifest)) {
        all.set(id, await resolveStack(manifest, id, options));
    }
    const wanted = new Set(options.selection.length ? options.selection : all.keys());
    return { selected: [...all.values()].filter((s) => wanted.has(s.id)), all };
}
/** Stack ids, each after everything it depends on, in manifest order otherwise. */
function dependencyOrder(manifest) {
    const order = [];
    const visit = (id) => {
        if (order.includes(id))
            return;
        for (const dep of manifest.stacks[id]?.['depends-on'] ?? [])
            visit(dep);
        order.push(id);
    };
    Object.keys(manifest.stacks).forEach(visit);
    return order;
}
async function resolveStack(manifest, id, options) {
    const stack = manifest.stacks[id];
    const env = options.environment;
    const override = env ? (stack.environments?.[env.name] ?? {}) : {};
    const layers = [manifest.defaults, stack, override];
    const at = (...path) => manifest.where(...path);
    const pick = (key) => layers.reduce((value, layer) => layer[key] ?? value, undefined);
    const envOverridePath = env ? ['stacks', id, 'environments', env.name] : [];
    const substitute = (value, where, allowOutputs) => value.replace(VARIABLE, (match, name) => {
        // Parameter values keep the escape until stackParameters() resolves the outputs.
        if (match.startsWith('$$'))
            return allowOutputs ? match : match.slice(1);
        if (name === 'environment') {
            if (!env) {
                throw new errors/* UserError */.y(`${where}: uses \${environment}, but no environment was given.`, 'Set input "environment" (e.g. dev), which reads environments/dev.yaml.');
            }
            return env.name;
        }
        const ref = OUTPUT_REF.exec(name);
        if (ref && allowOutputs) {
            if (!(stack['depends-on'] ?? []).includes(ref[1])) {
                throw new errors/* UserError */.y(`${where}: stacks.${id} uses the outputs of stack "${ref[1]}" but does not list it in depends-on.`, `Add "${ref[1]}" to stacks.${id}.depends-on so it is deployed first.`);
            }
            return match; // resolved when the dependency's outputs are known
        }
        throw new errors/* UserError */.y(`${where}: unknown variable ${match}.`, 'Use ${environment} or ${stacks.<id>.outputs.<OutputKey>} (in parameters); write $${ for a literal ${.');
    });
    const parameterLayers = [];
    const addLayer = (values, path, shared, label = path.join('.')) => {
        if (!values || !Object.keys(values).length)
            return;
        const where = path.length ? at(...path) : label;
        const strings = (0,environment/* stringValues */.Qy)(values, where);
        for (const key of Object.keys(strings))
            strings[key] = substitute(strings[key], where, true);
        parameterLayers.push({ from: `${where} (${label})`, values: strings, shared });
    };
    addLayer(manifest.defaults.parameters, ['defaults', 'parameters'], true);
    addLayer(stack.parameters, ['stacks', id, 'parameters'], false);
    const files = [
        ...(manifest.defaults['parameter-files'] ?? []),
        ...(stack['parameter-files'] ?? []),
        ...(override['parameter-files'] ?? []),
    ];
    for (const file of files) {
        const name = substitute(file, at('stacks', id, 'parameter-files'), false);
        addLayer(await readParameterFile(options.workspace, name), [], true, name);
    }
    if (env) {
        addLayer(env.parameters, [], true, `${env.file} parameters`);
        addLayer(env.stacks[id]?.parameters, [], false, `${env.file} stacks.${id}.parameters`);
        addLayer(override.parameters, [...envOverridePath, 'parameters'], false);
    }
    const tags = {};
    for (const layer of layers) {
        for (const [key, value] of Object.entries(layer.tags ?? {}))
            tags[key] = substitute(String(value), at('stacks', id, 'tags'), false);
    }
    const capabilities = new Set(layers.flatMap((layer) => layer.capabilities ?? []));
    const stackName = substitute(pick('stack-name') ?? id, at('stacks', id), false);
    if (!/^[A-Za-z][-A-Za-z0-9]{0,127}$/.test(stackName)) {
        throw new errors/* UserError */.y(`${at('stacks', id, 'stack-name')}: stack name "${stackName}" is not valid: CloudFormation needs a letter, then letters, digits and hyphens (at most 128).`);
    }
    return {
        id,
        template: substitute(pick('template'), at('stacks', id, 'template'), false),
        stackName,
        region: substitute(pick('region') ?? '', at('stacks', id), false),
        roleArn: substitute(pick('role-arn') ?? '', at('stacks', id), false),
        tags,
        capabilities: CAPABILITY_ORDER.filter((c) => capabilities.has(c)),
        terminationProtection: pick('termination-protection') ?? false,
        disableRollback: pick('disable-rollback') ?? false,
        dependsOn: stack['depends-on'] ?? [],
        parameters: parameterLayers,
        where: at('stacks', id),
    };
}
/** A parameter file: a map of values, or CloudFormation's [{ParameterKey, ParameterValue}] list. */
async function readParameterFile(workspace, file) {
    const found = await (0,paths/* readConfigFile */.RG)(workspace, file, 'Parameter file');
    if (!found)
        throw new errors/* UserError */.y(`Parameter file "${file}" was not found.`);
    const text = found.text;
    let data;
    try {
        data = (0,dist/* parse */.qg)(text, { maxAliasCount: 50, prettyErrors: false });
    }
    catch (error) {
        throw new errors/* UserError */.y(`${file}: not valid YAML or JSON: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
    }
    if (Array.isArray(data)) {
        const values = {};
        data.forEach((item, i) => {
            const pair = item;
            if (typeof pair?.ParameterKey !== 'string' || pair.ParameterValue === undefined) {
                throw new errors/* UserError */.y(`${file}: item ${i + 1} needs ParameterKey and ParameterValue (CloudFormation's parameter file format).`);
            }
            values[pair.ParameterKey] = pair.ParameterValue;
        });
        return values;
    }
    if (data === null || data === undefined)
        return {};
    if (typeof data !== 'object')
        throw new errors/* UserError */.y(`${file}: a parameter file must be a map of values or a [{ParameterKey, ParameterValue}] list.`);
    return data;
}
/**
 * The values a stack's template is deployed with that are known before anything deploys (outputs
 * of other stacks are not), for resolving its policies at validation time.
 */
function knownParameters(stack) {
    const values = new Map();
    for (const layer of stack.parameters) {
        for (const [key, raw] of Object.entries(layer.values)) {
            if (OUTPUT_REF_ANYWHERE.test(raw))
                values.delete(key);
            else
                values.set(key, raw.replace(/\$\$\{/g, '${'));
        }
    }
    return Object.fromEntries(values);
}
/**
 * The parameter values a stack sends, given the parameters its template declares and the outputs
 * of the stacks it depends on. Missing outputs become a visible placeholder (plan only).
 */
function stackParameters(stack, declared, outputOf) {
    const values = {};
    const placeholders = [];
    for (const layer of stack.parameters) {
        for (const [key, raw] of Object.entries(layer.values)) {
            if (!declared.has(key)) {
                if (layer.shared)
                    continue;
                throw new errors/* UserError */.y(`${layer.from}: parameter "${key}" is not declared by template ${stack.template}.`, `Declare it under Parameters in the template, or remove it from stack ${stack.id}.`);
            }
            values[key] = raw.replace(VARIABLE, (match, name) => {
                if (match.startsWith('$$'))
                    return match.slice(1);
                const ref = OUTPUT_REF.exec(name);
                const value = outputOf(ref[1], ref[2]);
                if (value !== undefined)
                    return value;
                placeholders.push(`${key} = ${match}`);
                return `placeholder-${ref[1]}-${ref[2]}`;
            });
        }
    }
    return { values, placeholders };
}

;// CONCATENATED MODULE: ./src/deploy/preview.ts

/** Types whose changes alter who may do what: listed in the "permissions change" table. */
const IAM_TYPES = /^AWS::(IAM|SSO)::|^AWS::(S3::BucketPolicy|SQS::QueuePolicy|SNS::TopicPolicy|Lambda::Permission|SecretsManager::ResourcePolicy)$/;
/** Properties of other types that hold a policy. */
const POLICY_PROPERTIES = new Set([
    'AssumeRolePolicyDocument',
    'KeyPolicy',
    'ManagedPolicyArns',
    'Policies',
    'PolicyDocument',
    'PolicyText',
    'ResourcePolicy',
]);
/** Turn the change set's changes into the preview: one entry per resource, plus IAM changes. */
function previewChanges(changes) {
    const entries = [];
    const iamChanges = [];
    for (const change of changes) {
        const rc = change.ResourceChange;
        if (change.Type !== 'Resource' || !rc)
            continue;
        const type = rc.ResourceType ?? 'unknown';
        const action = actionOf(rc.Action, rc.Replacement);
        const causes = new Set();
        const touched = new Set();
        for (const detail of rc.Details ?? []) {
            const target = detail.Target;
            const name = target?.Name ?? target?.Attribute;
            if (!name)
                continue;
            touched.add(name);
            if (target?.RequiresRecreation === 'Always')
                causes.add(name);
            if (target?.RequiresRecreation === 'Conditionally')
                causes.add(`${name} (conditionally)`);
        }
        const entry = {
            logicalId: rc.LogicalResourceId ?? '?',
            resourceType: type,
            action,
            replacementCauses: action === 'replace' || action === 'may-replace' ? [...causes] : [],
            stateful: guard/* STATEFUL_TYPES */.Ts.has(type),
            blocked: false,
        };
        if (rc.Action === 'Remove' && /Retain|Snapshot/.test(rc.PolicyAction ?? ''))
            entry.retained = true;
        entries.push(entry);
        const policyProps = [...touched].filter((p) => POLICY_PROPERTIES.has(p));
        if (IAM_TYPES.test(type) || policyProps.length) {
            const what = policyProps.length ? `: ${policyProps.join(', ')}` : '';
            iamChanges.push(`${action} ${type} ${entry.logicalId}${what}`);
        }
    }
    return { changes: entries, iamChanges };
}
function actionOf(action, replacement) {
    switch (action) {
        case 'Add':
            return 'add';
        case 'Remove':
            return 'remove';
        case 'Import':
            return 'import';
        case 'Dynamic':
            return 'dynamic';
        default:
            if (replacement === 'True')
                return 'replace';
            if (replacement === 'Conditional')
                return 'may-replace';
            return 'modify';
    }
}

;// CONCATENATED MODULE: ./src/deploy/deploy.ts










/** CloudFormation's limit for TemplateBody; larger templates must come from S3. */
const MAX_TEMPLATE_BODY = 51_200;
const BUSY = /_IN_PROGRESS$/;
const SUCCEEDED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);
const regionOf = (stack, ctx) => stack.region || ctx.defaultRegion;
/**
 * Plan one stack (and in deploy mode execute it): create the change set for the stack's current
 * state, preview it, guard stateful resources, then delete it or run it to a final state.
 */
async function processStack(stack, ctx, mode) {
    const region = regionOf(stack, ctx);
    const client = await ctx.aws.cloudFormation(region);
    const deadline = ctx.poller.now() + ctx.timeoutMs;
    const plan = {
        stackId: stack.id,
        stackName: stack.stackName,
        region,
        status: 'changes',
        changes: [],
        iamChanges: [],
    };
    const fail = (message, status = 'failed') => {
        plan.status = 'failed';
        plan.message ??= message;
        return {
            plan,
            findings: [],
            ...(mode === 'plan' ? {} : { deployment: deployment(status, message) }),
        };
    };
    const deployment = (status, message, extra = {}) => ({
        stackId: stack.id,
        stackName: stack.stackName,
        region,
        status,
        outputs: {},
        ...(message ? { message } : {}),
        ...extra,
    });
    const template = ctx.templateFor(stack);
    let existing;
    let emptyUpFront = false;
    let changeSet;
    if (mode === 'execute') {
        existing = await describeStack(client, stack.stackName);
        plan.changeSetName = ctx.changeSetName;
        const found = existing && (await findChangeSet(client, stack.stackName, ctx.changeSetName));
        if (!found) {
            return fail(`Stack ${existing ? 'has' : 'does not exist, so it has'} no change set ${ctx.changeSetName}; run mode plan with keep-change-sets: true first, and pass the name from its output change-sets.`);
        }
        changeSet = found;
    }
    else {
        const started = await startChangeSet(stack, ctx, mode, client, deadline, plan, template);
        if ('failed' in started)
            return fail(started.failed);
        if ('recreated' in started) {
            plan.changes = started.recreated;
            return { plan, findings: [] };
        }
        existing = started.existing;
        changeSet = started.changeSet;
        if (started.empty)
            emptyUpFront = true;
    }
    let outcome = { status: 'empty' };
    try {
        if (!emptyUpFront)
            outcome = await awaitChangeSet(client, stack.stackName, changeSet, ctx.poller, deadline);
    }
    catch (error) {
        if (error instanceof wait/* DeadlineError */.j3)
            return fail(error.message, 'timed-out');
        return fail(`Could not read change set ${ctx.changeSetName}: ${messageOf(error)}`);
    }
    const cleanUp = async () => {
        // A reviewed change set run by mode execute stays, so a blocked one can be run once allowed.
        if (mode === 'execute' || (mode === 'plan' && ctx.keepChangeSets))
            return;
        await deleteChangeSet(client, stack.stackName, changeSet).catch((error) => ctx.log.warning(`${stack.stackName}: could not delete change set ${ctx.changeSetName}: ${messageOf(error)}`));
    };
    if (outcome.status === 'failed') {
        await cleanUp();
        return fail(`The change set failed: ${outcome.reason}`);
    }
    if (outcome.status === 'empty') {
        plan.status = 'no-changes';
        if (!emptyUpFront)
            await cleanUp();
        if (mode === 'plan')
            return { plan, findings: [] };
        await applyTerminationProtection(client, stack, existing);
        return {
            plan,
            findings: [],
            deployment: deployment('no-op', 'No changes.', {
                stackStatus: existing?.StackStatus ?? '',
                outputs: outputsFrom(existing),
            }),
        };
    }
    const preview = previewChanges(outcome.changes);
    plan.changes = preview.changes;
    plan.iamChanges = preview.iamChanges;
    const findings = (0,guard/* guardPlan */.V4)(plan, ctx.allowReplacement, template, stack.template);
    if (mode === 'plan' || findings.length) {
        await cleanUp();
        return {
            plan,
            findings,
            ...(mode !== 'plan'
                ? {
                    deployment: deployment('failed', 'Blocked: the change set would replace or delete stateful resources that allow-replacement does not name.'),
                }
                : {}),
        };
    }
    return {
        plan,
        findings,
        deployment: await executeChangeSet(client, stack, changeSet, ctx, !existing || existing.StackStatus === 'REVIEW_IN_PROGRESS', deadline, deployment),
    };
}
/** Run a change set to a final state, streaming events; a timeout fails, never succeeds. */
async function executeChangeSet(client, stack, changeSet, ctx, created, deadline, deployment) {
    const sdk = await (0,aws/* cloudFormationSdk */.RH)();
    const events = new EventStream(client, stack.stackName, (event) => ctx.log.info(`${stack.stackName}: ${formatEvent(event)}`));
    await events.start();
    ctx.log.info(`${stack.stackName}: executing change set ${ctx.changeSetName}.`);
    try {
        await client.send(new sdk.ExecuteChangeSetCommand({
            StackName: stack.stackName,
            ChangeSetName: changeSet,
            DisableRollback: stack.disableRollback,
        }));
    }
    catch (error) {
        await events.poll().catch(() => []);
        const reason = messageOf(error);
        return deployment('failed', `ExecuteChangeSet failed: ${reason}`, {
            failure: firstFailure(events.events, stack.stackName) ?? {
                logicalId: stack.stackName,
                reason,
            },
        });
    }
    let final;
    try {
        final = await waitForStack(client, stack.stackName, ctx.poller, deadline, events);
    }
    catch (error) {
        if (!(error instanceof wait/* DeadlineError */.j3))
            throw error;
        return deployment('timed-out', `Still not finished after ${Math.round(ctx.timeoutMs / 60_000)} minute(s) (input timeout-minutes); the stack keeps going in AWS, but this run fails.`);
    }
    await events.poll();
    const status = final.StackStatus ?? 'UNKNOWN';
    if (SUCCEEDED.has(status)) {
        await applyTerminationProtection(client, stack, final);
        return deployment('succeeded', undefined, { stackStatus: status, outputs: outputsFrom(final) });
    }
    const failure = firstFailure(events.events, stack.stackName);
    return deployment('failed', rollbackOutcome(status, created), {
        stackStatus: status,
        ...(failure ? { failure } : {}),
    });
}
function rollbackOutcome(status, created) {
    if (status === 'ROLLBACK_COMPLETE')
        return 'Creation failed and was rolled back (ROLLBACK_COMPLETE); the next deploy deletes and recreates the stack.';
    if (status === 'UPDATE_ROLLBACK_COMPLETE')
        return 'Update failed and was rolled back: the stack is as before (UPDATE_ROLLBACK_COMPLETE).';
    if (/ROLLBACK_FAILED$/.test(status))
        return `Rollback failed (${status}): the stack needs attention in the CloudFormation console.`;
    if (status === 'CREATE_FAILED' || status === 'UPDATE_FAILED')
        return `${created ? 'Creation' : 'Update'} failed and was not rolled back (disable-rollback): ${status}.`;
    return `Stack ended in ${status}.`;
}
/** Poll the stack until it leaves every *_IN_PROGRESS state, printing events on the way. */
async function waitForStack(client, stackName, poller, deadline, events) {
    return (0,wait/* pollUntil */.g3)(poller, deadline, `stack ${stackName}`, async () => {
        await events?.poll();
        const stack = await describeStack(client, stackName);
        if (!stack)
            throw new errors/* UserError */.y(`Stack ${stackName} disappeared while it was deployed.`);
        return BUSY.test(stack.StackStatus ?? '') && stack.StackStatus !== 'REVIEW_IN_PROGRESS'
            ? undefined
            : stack;
    });
}
async function deleteStack(client, stackName, poller, deadline) {
    const sdk = await (0,aws/* cloudFormationSdk */.RH)();
    await client.send(new sdk.DeleteStackCommand({ StackName: stackName }));
    await (0,wait/* pollUntil */.g3)(poller, deadline, `deletion of stack ${stackName}`, async () => {
        try {
            const stack = await describeStack(client, stackName);
            if (stack?.StackStatus === 'DELETE_FAILED')
                throw new errors/* UserError */.y(`Stack ${stackName} could not be deleted (DELETE_FAILED).`);
            return stack ? undefined : true;
        }
        catch (error) {
            if (isMissingStack(error))
                return true;
            throw error;
        }
    });
}
/** Every resource of the template as an addition: what recreating a stack will do. */
function creationPreview(template) {
    const resources = (0,nodes/* child */.jf)(template.root, 'Resources');
    if (!(0,nodes/* isMap */.jh)(resources))
        return [];
    return resources.entries.map((resource) => {
        const type = (0,nodes/* child */.jf)(resource.value, 'Type');
        const resourceType = (0,nodes/* isScalar */.jn)(type) ? String(type.value) : 'unknown';
        return {
            logicalId: resource.key,
            resourceType,
            action: 'add',
            replacementCauses: [],
            stateful: guard/* STATEFUL_TYPES */.Ts.has(resourceType),
            blocked: false,
        };
    });
}
/** Termination protection is set as the manifest says, after the stack exists. */
async function applyTerminationProtection(client, stack, current) {
    if (!current && !stack.terminationProtection)
        return;
    if (current && (current.EnableTerminationProtection ?? false) === stack.terminationProtection)
        return;
    const sdk = await (0,aws/* cloudFormationSdk */.RH)();
    await client.send(new sdk.UpdateTerminationProtectionCommand({
        StackName: stack.stackName,
        EnableTerminationProtection: stack.terminationProtection,
    }));
}
function outputsFrom(stack) {
    const outputs = {};
    for (const o of stack?.Outputs ?? [])
        if (o.OutputKey)
            outputs[o.OutputKey] = o.OutputValue ?? '';
    return outputs;
}
/** The template's declared parameter names. */
function declaredParameters(template) {
    const parameters = (0,nodes/* child */.jf)(template.root, 'Parameters');
    return new Set((0,nodes/* isMap */.jh)(parameters) ? parameters.entries.map((e) => e.key) : []);
}
/** TemplateBody when it fits, otherwise an upload to the artifact bucket under its sha256. */
async function templateSource(template, region, ctx) {
    const size = Buffer.byteLength(template.text);
    if (size <= MAX_TEMPLATE_BODY)
        return { body: template.text };
    if (!ctx.artifactBucket) {
        throw new errors/* UserError */.y(`${template.file} is ${size} bytes; CloudFormation takes at most ${MAX_TEMPLATE_BODY} bytes inline, so it must be uploaded to S3.`, 'Set input "artifact-bucket" to a bucket the deploy role may write to (s3:PutObject) and CloudFormation may read.');
    }
    const digest = (0,external_node_crypto_.createHash)('sha256').update(template.text).digest('hex');
    const key = `iac-action/templates/${digest}.${template.format === 'json' ? 'json' : 'yaml'}`;
    const sdk = await (0,aws/* s3Sdk */.jb)();
    const s3 = await ctx.aws.s3(region);
    await s3.send(new sdk.PutObjectCommand({
        Bucket: ctx.artifactBucket,
        Key: key,
        Body: template.text,
        ContentType: 'text/plain',
    }));
    ctx.log.info(`${template.file}: ${size} bytes, uploaded to s3://${ctx.artifactBucket}/${key}.`);
    const host = `s3.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
    return { url: `https://${host}/${ctx.artifactBucket}/${key}` };
}
function messageOf(error) {
    return error instanceof Error ? error.message.replace(/\s+/g, ' ').trim() : String(error);
}
const failed = (message) => ({ failed: message });
/**
 * Create the change set that fits the stack's state: CREATE for a new stack or one in
 * REVIEW_IN_PROGRESS (or one deleted after ROLLBACK_COMPLETE), UPDATE otherwise.
 */
async function startChangeSet(stack, ctx, mode, client, deadline, plan, template) {
    const region = plan.region;
    let existing = await describeStack(client, stack.stackName);
    if (existing &&
        BUSY.test(existing.StackStatus ?? '') &&
        existing.StackStatus !== 'REVIEW_IN_PROGRESS') {
        if (mode === 'plan')
            return failed(`Stack is busy (${existing.StackStatus}); plan again when it has finished.`);
        ctx.log.info(`${stack.stackName}: waiting for ${existing.StackStatus} to finish first.`);
        existing = await waitForStack(client, stack.stackName, ctx.poller, deadline, undefined);
    }
    if (existing?.StackStatus === 'ROLLBACK_COMPLETE') {
        if (mode === 'plan') {
            plan.message =
                'Stack is in ROLLBACK_COMPLETE (a failed first create): deploy deletes it and creates it again.';
            if (!ctx.recreateFailedStacks)
                return failed(`${plan.message} Input recreate-failed-stacks is false, so deploy will refuse.`);
            // No change set can be made on such a stack: preview the creation it will become.
            plan.changeSetType = 'CREATE';
            return { recreated: creationPreview(template) };
        }
        else {
            if (!ctx.recreateFailedStacks) {
                return failed('Stack is in ROLLBACK_COMPLETE (a failed first create) and input recreate-failed-stacks is false. Delete the stack, or set recreate-failed-stacks: true.');
            }
            ctx.log.info(`${stack.stackName}: ROLLBACK_COMPLETE after a failed create; deleting it to create it again.`);
            await deleteStack(client, stack.stackName, ctx.poller, deadline);
            existing = undefined;
        }
    }
    if (existing && /FAILED$/.test(existing.StackStatus ?? '')) {
        return failed(`Stack is in ${existing.StackStatus} and cannot be updated; fix it in the CloudFormation console (e.g. continue the update rollback) first.`);
    }
    const type = !existing || existing.StackStatus === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
    plan.changeSetType = type;
    plan.changeSetName = ctx.changeSetName;
    const outputs = new Map();
    for (const dep of stack.dependsOn)
        outputs.set(dep, await ctx.outputsOf(dep));
    const { values, placeholders } = stackParameters(stack, declaredParameters(template), (id, key) => outputs.get(id)?.[key]);
    if (placeholders.length) {
        if (mode === 'deploy') {
            return failed(`Outputs this stack needs are missing: ${placeholders.join('; ')}. Deploy the stacks it depends on first.`);
        }
        plan.message = `Placeholders stand in for outputs of stacks not deployed yet: ${placeholders.join('; ')}.`;
    }
    let changeSet = ctx.changeSetName;
    try {
        changeSet = await createChangeSet(client, {
            stackName: stack.stackName,
            changeSetName: ctx.changeSetName,
            type,
            template: await templateSource(template, region, ctx),
            parameters: values,
            tags: stack.tags,
            capabilities: stack.capabilities,
            roleArn: stack.roleArn,
        });
    }
    catch (error) {
        if (error instanceof errors/* UserError */.y)
            throw error;
        // CloudFormation sometimes refuses an empty change set up front instead of failing it.
        if (NO_CHANGES.test(messageOf(error)))
            return { existing, changeSet, empty: true };
        return failed(`Could not create the change set: ${messageOf(error)}`);
    }
    return { existing, changeSet, empty: false };
}

;// CONCATENATED MODULE: ./src/deploy/index.ts






/**
 * Mode plan: a change set per selected stack, all at once (bounded), previewed and guarded.
 * Modes deploy and execute: stacks in dependency order, independent ones in parallel; a stack
 * whose dependency failed is skipped.
 */
async function runDeployStage(settings, input, deps) {
    const mode = settings.mode;
    if (mode === 'validate')
        throw new Error('runDeployStage needs mode plan, deploy or execute');
    const { selected, all } = input.stacks;
    const byFile = new Map(input.templates.map((t) => [t.file, t]));
    const results = new Map();
    const selectedIds = new Set(selected.map((s) => s.id));
    const ctx = {
        log: deps.log,
        aws: deps.aws,
        poller: deps.poller,
        defaultRegion: settings.aws.region,
        changeSetName: mode === 'execute'
            ? requireChangeSetName(settings)
            : changeSetNameFor(deps.env, deps.poller.now()),
        allowReplacement: settings.deploy.allowReplacement,
        keepChangeSets: settings.deploy.keepChangeSets,
        recreateFailedStacks: settings.deploy.recreateFailedStacks,
        artifactBucket: settings.deploy.artifactBucket,
        timeoutMs: deps.timeoutMs ?? settings.deploy.timeoutMinutes * 60_000,
        templateFor: (stack) => {
            const template = byFile.get(stack.template);
            if (!template) {
                throw new errors/* UserError */.y(`${stack.where}: template ${stack.template} of stack ${stack.id} was not validated (missing, or it did not parse).`, 'Check the path in the stack manifest; it is relative to the repository root.');
            }
            return template;
        },
        outputsOf: async (id) => {
            const own = mode !== 'plan' && selectedIds.has(id) ? results.get(id) : undefined;
            if (own)
                return (await own).deployment?.outputs;
            const dep = all.get(id);
            const client = await deps.aws.cloudFormation(regionOf(dep, ctx));
            const stack = await describeStack(client, dep.stackName);
            return stack && stack.StackStatus !== 'REVIEW_IN_PROGRESS' ? outputsFrom(stack) : undefined;
        },
    };
    const limit = (0,p_limit/* default */.A)(settings.deploy.maxParallelStacks);
    for (const stack of selected) {
        results.set(stack.id, (async () => {
            if (mode !== 'plan') {
                const blocker = await failedDependency(stack, results);
                if (blocker)
                    return skipped(stack, ctx, blocker);
            }
            return limit(() => processStack(stack, ctx, mode));
        })());
    }
    const done = await Promise.all(results.values());
    const findings = done.flatMap((r) => r.findings);
    for (const [index, result] of done.entries()) {
        findings.push(...outcomeFindings(result, selected[index], byFile.get(selected[index].template)));
    }
    return {
        plan: done.map((r) => r.plan),
        ...(mode === 'plan' ? {} : { deployments: done.map((r) => r.deployment) }),
        findings,
        changeSets: mode === 'plan' && settings.deploy.keepChangeSets
            ? done
                .filter((r) => r.plan.changeSetName && r.plan.status !== 'failed')
                .map((r) => ({
                stackId: r.plan.stackId,
                stackName: r.plan.stackName,
                region: r.plan.region,
                changeSetName: r.plan.changeSetName,
            }))
            : [],
    };
}
function requireChangeSetName(settings) {
    if (!settings.deploy.changeSetName) {
        throw new errors/* UserError */.y('Mode execute needs input "change-set-name": the change set a plan run created and kept.', 'Run mode plan with keep-change-sets: true; its output change-sets names the change set.');
    }
    return settings.deploy.changeSetName;
}
async function failedDependency(stack, results) {
    for (const dep of stack.dependsOn) {
        const result = results.get(dep);
        if (!result)
            continue; // not selected: only its outputs are read
        const status = (await result).deployment?.status;
        if (status !== 'succeeded' && status !== 'no-op')
            return dep;
    }
    return undefined;
}
function skipped(stack, ctx, blocker) {
    const message = `Skipped: stack ${blocker}, which it depends on, did not deploy.`;
    const region = regionOf(stack, ctx);
    return {
        plan: {
            stackId: stack.id,
            stackName: stack.stackName,
            region,
            status: 'failed',
            changes: [],
            iamChanges: [],
            message,
        },
        findings: [],
        deployment: {
            stackId: stack.id,
            stackName: stack.stackName,
            region,
            status: 'skipped',
            outputs: {},
            message,
        },
    };
}
/** Failed plans and deployments become error findings, at the failed resource when known. */
function outcomeFindings(result, stack, template) {
    const d = result.deployment;
    const failedPlan = result.plan.status === 'failed' && !d;
    if (!failedPlan && !(d && (d.status === 'failed' || d.status === 'timed-out')))
        return [];
    if (result.plan.status === 'blocked')
        return [];
    const logicalId = d?.failure?.logicalId;
    const resource = logicalId && template ? (0,nodes/* entry */.f_)((0,nodes/* child */.jf)(template.root, 'Resources'), logicalId) : undefined;
    const cause = d?.failure ? ` ${d.failure.logicalId}: ${d.failure.reason}.` : '';
    return [
        {
            source: 'change-set',
            ruleId: d ? (d.status === 'timed-out' ? 'D2002' : 'D2001') : 'D1002',
            severity: 'error',
            file: stack.template,
            line: resource?.keyStart.line ?? 0,
            column: resource?.keyStart.column ?? 0,
            ...(resource ? { logicalId } : {}),
            message: `Stack ${stack.stackName} (${d ? 'deploy' : 'plan'}):${cause} ${d?.message ?? result.plan.message ?? 'failed'}`,
        },
    ];
}


/***/ })

};
