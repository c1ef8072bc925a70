export const id = 340;
export const ids = [340];
export const modules = {

/***/ 2340:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runDeployStage: () => (/* binding */ runDeployStage)
});

// EXTERNAL MODULE: ./node_modules/p-limit/index.js + 1 modules
var p_limit = __webpack_require__(370);
// EXTERNAL MODULE: ./src/model/errors.ts
var errors = __webpack_require__(7206);
// EXTERNAL MODULE: ./src/model/template.ts
var model_template = __webpack_require__(9011);
// EXTERNAL MODULE: ./src/deploy/rules.ts
var rules = __webpack_require__(9767);
// EXTERNAL MODULE: ./src/deploy/aws.ts
var deploy_aws = __webpack_require__(1498);
;// CONCATENATED MODULE: ./src/deploy/events.ts

/** Pages read per poll at most: a poll never walks a long stack history. */
const MAX_PAGES = 20;
/** Nested stacks followed at most this deep, and this many per deployment. */
const MAX_NESTING = 5;
const MAX_NESTED_STACKS = 50;
/**
 * Follows a stack's events: DescribeStackEvents answers newest first, so each poll reads pages
 * until it meets an event it has already seen (or the newest one from before the operation), and
 * hands the new ones over oldest first, each exactly once. A nested stack that shows up in the
 * events is followed the same way; its events carry its logical-id path (`Storage/Bucket`).
 */
class EventStream {
    client;
    stackName;
    print;
    path;
    since;
    counter;
    seen = new Set();
    nested = new Map();
    /** Every event of this operation, oldest first (a nested stack's after its parent's). */
    events = [];
    constructor(client, stackName, print, 
    /** A nested stack's logical-id path in the root stack; empty for the root. */
    path = '', 
    /** A nested stack's events older than this belong to earlier operations. */
    since, counter = { nested: 0 }) {
        this.client = client;
        this.stackName = stackName;
        this.print = print;
        this.path = path;
        this.since = since;
        this.counter = counter;
    }
    /** Remember the events that happened before the operation, so they are not printed. */
    async start() {
        for (const event of await this.fetchNew())
            this.seen.add(event.EventId ?? '');
    }
    async poll() {
        const fresh = (await this.fetchNew())
            .reverse()
            .filter((e) => !this.since || !e.Timestamp || e.Timestamp >= this.since);
        const shown = [];
        for (const event of fresh) {
            this.seen.add(event.EventId ?? '');
            const own = this.path
                ? { ...event, LogicalResourceId: `${this.path}/${event.LogicalResourceId ?? '?'}` }
                : event;
            shown.push(own);
            this.follow(event);
        }
        for (const child of this.nested.values())
            shown.push(...(await child.poll()));
        if (!this.path) {
            for (const event of shown) {
                this.events.push(event);
                this.print(event);
            }
        }
        return shown;
    }
    /** Start following a nested stack once its stack resource names its physical id. */
    follow(event) {
        const id = event.PhysicalResourceId;
        if (event.ResourceType !== 'AWS::CloudFormation::Stack' ||
            !id ||
            id === event.StackId ||
            this.nested.has(id) ||
            this.path.split('/').length >= MAX_NESTING ||
            this.counter.nested >= MAX_NESTED_STACKS)
            return;
        this.counter.nested++;
        const path = `${this.path ? `${this.path}/` : ''}${event.LogicalResourceId ?? '?'}`;
        // Its first event of this operation is no older than the parent's event that revealed it.
        const since = event.Timestamp ? new Date(event.Timestamp.getTime() - 1000) : undefined;
        this.nested.set(id, new EventStream(this.client, id, this.print, path, since, this.counter));
    }
    /** Events newer than anything seen, newest first. */
    async fetchNew() {
        const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
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
    const stack = (e) => e.ResourceType === 'AWS::CloudFormation::Stack';
    const cancelled = (e) => /cancell?ed/i.test(e.ResourceStatusReason ?? '');
    // A nested stack's failed resource says more than "Embedded stack ... failed" of its stack.
    const pick = failed.find((e) => !stack(e) && !cancelled(e)) ??
        failed.find((e) => !own(e) && !cancelled(e)) ??
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
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
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
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
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
        IncludeNestedStacks: true,
        ...(request.revertDrift ? { DeploymentMode: 'REVERT_DRIFT' } : {}),
        Description: 'Created by iac-action',
    }));
    return answer.Id ?? request.changeSetName;
}
/** The ARN of a stack's change set by name (mode execute), or undefined when there is none. */
async function findChangeSet(client, stackName, changeSetName) {
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
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
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    const first = await (0,wait/* pollUntil */.g3)(poller, deadline, `change set ${changeSetName} of stack ${stackName}`, async () => {
        const answer = await client.send(new sdk.DescribeChangeSetCommand({
            StackName: stackName,
            ChangeSetName: changeSetName,
            IncludePropertyValues: true,
        }));
        return /PENDING|IN_PROGRESS/.test(answer.Status ?? '') ? undefined : answer;
    });
    if (first.Status === 'FAILED') {
        const reason = oneLine(first.StatusReason ?? 'no reason given');
        return NO_CHANGES.test(reason) ? { status: 'empty' } : { status: 'failed', reason };
    }
    const changes = await allChanges(client, { StackName: stackName, ChangeSetName: changeSetName }, first);
    if (first.ExecutionStatus && first.ExecutionStatus !== 'AVAILABLE' && changes.length) {
        return {
            status: 'failed',
            reason: `change set is ${first.ExecutionStatus}, not AVAILABLE for execution`,
        };
    }
    if (!changes.length)
        return { status: 'empty' };
    return { status: 'ready', changes, nested: await nestedChanges(client, changes, '') };
}
/** Nested stacks followed at most this deep, and this many nested change sets read per stack. */
const changeset_MAX_NESTING = 5;
const MAX_NESTED_CHANGE_SETS = 50;
/** Every page of a change set's changes, the first one already read. */
async function allChanges(client, which, first) {
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    const changes = [...(first.Changes ?? [])];
    for (let token = first.NextToken; token;) {
        const page = await client.send(new sdk.DescribeChangeSetCommand({ ...which, IncludePropertyValues: true, NextToken: token }));
        changes.push(...(page.Changes ?? []));
        token = page.NextToken;
    }
    return changes;
}
/**
 * The change sets CloudFormation made for nested stacks (IncludeNestedStacks), by the ARN their
 * stack resource's change names, each under its logical-id path, depth first.
 */
async function nestedChanges(client, changes, parent, found = []) {
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    for (const change of changes) {
        const rc = change.ResourceChange;
        if (rc?.ResourceType !== 'AWS::CloudFormation::Stack' || !rc.ChangeSetId)
            continue;
        if (found.length >= MAX_NESTED_CHANGE_SETS || parent.split('/').length >= changeset_MAX_NESTING)
            break;
        const path = parent ? `${parent}/${rc.LogicalResourceId}` : (rc.LogicalResourceId ?? '?');
        const first = await client.send(new sdk.DescribeChangeSetCommand({
            ChangeSetName: rc.ChangeSetId,
            IncludePropertyValues: true,
        }));
        const own = await allChanges(client, { ChangeSetName: rc.ChangeSetId }, first);
        found.push({ path, changes: own });
        await nestedChanges(client, own, path, found);
    }
    return found;
}
async function deleteChangeSet(client, stackName, changeSetName) {
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    await client.send(new sdk.DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }));
}
/** A change-set name unique to this run and attempt, so leftovers never collide. */
function changeSetNameFor(env, now) {
    const run = env.GITHUB_RUN_ID
        ? `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`
        : `${now}`;
    return `iac-action-${run}`.replace(/[^-A-Za-z0-9]/g, '-').slice(0, 128);
}

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./src/model/stateful.ts
var stateful = __webpack_require__(9817);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/model/rules.ts
var model_rules = __webpack_require__(2622);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./node_modules/yazl/index.js
var yazl = __webpack_require__(3044);
;// CONCATENATED MODULE: ./src/deploy/assets.ts






/** An asset is the app's code: generous, but a planted giant folder must not fill the runner. */
const MAX_ASSET_BYTES = 256 * 1024 * 1024;
const MAX_ASSET_FILES = 20_000;
const MAX_ASSET_DEPTH = 32;
/**
 * Publish file assets to their destinations as `cdk-assets` does: a folder (packaging zip) is
 * zipped with fixed dates in a stable order, a file uploaded as is, and an object that already
 * exists under its key (the key is the content's hash) is left alone. Each destination is written
 * with its own role (the bootstrap file-publishing role) when it names one.
 */
async function publishFileAssets(stackName, assets, aws, log) {
    const sdk = await (0,deploy_aws/* s3Sdk */.jb)();
    for (const asset of assets) {
        let body;
        for (const destination of asset.destinations) {
            const clients = destination.role
                ? await aws.assumeRole(destination.role, destination.region)
                : aws;
            const s3 = await clients.s3(destination.region);
            const where = `s3://${destination.bucket}/${destination.key}`;
            const present = await s3
                .send(new sdk.HeadObjectCommand({ Bucket: destination.bucket, Key: destination.key }))
                .then(() => true, (error) => {
                if (error.name === 'NotFound' || error.$metadata?.httpStatusCode === 404)
                    return false;
                throw publishError(stackName, asset, where, error);
            });
            if (present) {
                log.info(`${stackName}: asset ${asset.id} is already at ${where}.`);
                continue;
            }
            body ??= asset.packaging === 'zip' ? await zipFolder(asset) : await readAssetFile(asset);
            await s3
                .send(new sdk.PutObjectCommand({
                Bucket: destination.bucket,
                Key: destination.key,
                Body: body,
                ContentType: asset.packaging === 'zip' ? 'application/zip' : undefined,
            }))
                .catch((error) => {
                throw publishError(stackName, asset, where, error);
            });
            log.info(`${stackName}: published asset ${asset.id} (${body.length} bytes) to ${where}.`);
        }
    }
}
function publishError(stackName, asset, where, error) {
    const reason = error instanceof Error ? error.message : String(error);
    return new errors/* UserError */.y(`Stack ${stackName}: asset ${asset.id} could not be published to ${where}: ${reason}`, 'The credentials need s3:GetObject, s3:PutObject and s3:ListBucket on the CDK assets bucket (the bootstrap file-publishing role has them): bootstrap the environment with `cdk bootstrap`.');
}
const refuse = (asset, why) => {
    throw new errors/* UserError */.y(`Asset ${asset.id} (${asset.file}): ${why}.`, 'Run `cdk synth` again.');
};
/** Read a regular file without following a link, within the size limit. */
async function readRegular(asset, name, budget) {
    const file = name ? external_node_path_default().join(asset.source, name) : asset.source;
    let handle;
    try {
        handle = await promises_default().open(file, external_node_fs_.constants.O_RDONLY | external_node_fs_.constants.O_NOFOLLOW | external_node_fs_.constants.O_NONBLOCK);
    }
    catch (error) {
        const code = error.code;
        return refuse(asset, code === 'ELOOP'
            ? `${name || 'it'} is a symbolic link, which is not followed`
            : `${name || 'it'} cannot be read (${code ?? String(error)})`);
    }
    try {
        const stat = await handle.stat();
        if (!stat.isFile())
            refuse(asset, `${name || 'it'} is not a regular file`);
        budget.bytes -= stat.size;
        if (budget.bytes < 0)
            refuse(asset, `larger than ${MAX_ASSET_BYTES} bytes`);
        return { data: await handle.readFile(), mode: stat.mode };
    }
    finally {
        await handle.close();
    }
}
async function readAssetFile(asset) {
    return (await readRegular(asset, '', { bytes: MAX_ASSET_BYTES })).data;
}
/** Every regular file below the folder, sorted, as zip paths; links are refused, not followed. */
async function listFolder(asset) {
    const files = [];
    const walk = async (relative, depth) => {
        if (depth > MAX_ASSET_DEPTH)
            refuse(asset, `folders nested deeper than ${MAX_ASSET_DEPTH}`);
        const entries = await promises_default().readdir(external_node_path_default().join(asset.source, relative), { withFileTypes: true });
        for (const entry of entries) {
            const name = relative ? `${relative}/${entry.name}` : entry.name;
            if (entry.isSymbolicLink())
                refuse(asset, `${name} is a symbolic link, which is not followed`);
            if (entry.isDirectory())
                await walk(name, depth + 1);
            else if (entry.isFile())
                files.push(name);
            if (files.length > MAX_ASSET_FILES)
                refuse(asset, `more than ${MAX_ASSET_FILES} files`);
        }
    };
    const stat = await promises_default().lstat(asset.source).catch(() => undefined);
    if (!stat?.isDirectory())
        refuse(asset, 'packaging zip needs a folder, which does not exist');
    await walk('', 0);
    return files.sort();
}
async function zipFolder(asset) {
    const zip = new yazl/* ZipFile */.u();
    const chunks = [];
    const done = new Promise((resolve, reject) => {
        zip.outputStream.on('data', (chunk) => chunks.push(chunk));
        zip.outputStream.on('error', reject);
        zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    });
    const budget = { bytes: MAX_ASSET_BYTES };
    for (const name of await listFolder(asset)) {
        const { data, mode } = await readRegular(asset, name, budget);
        // cdk-assets' settings: a fixed date and DOS timestamps only, so the bytes do not vary.
        zip.addBuffer(data, name, { mtime: new Date(1980, 0, 1), mode, forceDosTimestamp: true });
    }
    zip.end();
    return done;
}

;// CONCATENATED MODULE: ./src/deploy/checks.ts





/** Pages of events or hooks read at most per change set (a change set has few of either). */
const checks_MAX_PAGES = 10;
/**
 * CloudFormation's own checks of a change set as findings at the template line: its
 * pre-deployment validation (FAIL and WARN, with the property path) and the Hooks it ran, from
 * DescribeEvents; and the Hooks that will check each resource when it runs, from
 * DescribeChangeSetHooks.
 */
async function cloudFormationChecks(client, target) {
    const findings = [];
    for (const event of await changeSetEvents(client, target)) {
        const finding = eventFinding(event, target);
        if (finding)
            findings.push(finding);
    }
    findings.push(...(await plannedHooks(client, target)));
    return findings;
}
async function changeSetEvents(client, target) {
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    const events = [];
    const seen = new Set();
    let token;
    for (let page = 0; page < checks_MAX_PAGES; page++) {
        const answer = await client.send(new sdk.DescribeEventsCommand({
            ChangeSetName: target.changeSet,
            // A change set named, not given by ARN, needs its stack.
            ...(target.changeSet.startsWith('arn:') ? {} : { StackName: target.stackName }),
            NextToken: token,
        }));
        for (const event of answer.OperationEvents ?? []) {
            if (event.EventId && seen.has(event.EventId))
                continue;
            if (event.EventId)
                seen.add(event.EventId);
            events.push(event);
        }
        token = answer.NextToken;
        if (!token)
            break;
    }
    return events;
}
function eventFinding(event, target) {
    const logicalId = event.LogicalResourceId;
    const warns = (mode) => mode === 'WARN';
    if (event.EventType === 'VALIDATION_ERROR' && event.ValidationStatus === 'FAILED') {
        const path = event.ValidationPath ?? '';
        const rule = warns(event.ValidationFailureMode)
            ? rules/* DEPLOY_RULES */.q.validationWarning
            : rules/* DEPLOY_RULES */.q.validationFailed;
        const where = path ? ` at ${path}` : '';
        return placed(rule, target, logicalId, path, {
            message: `Stack ${target.stackName}: CloudFormation's pre-deployment validation ${event.ValidationName ?? ''}${where}${logicalId ? ` (${logicalId})` : ''}: ${oneLine(event.ValidationStatusReason ?? 'no reason given')}`,
        });
    }
    if (event.EventType === 'HOOK_INVOCATION_ERROR' ||
        event.HookStatus === 'HOOK_COMPLETE_FAILED' ||
        event.HookStatus === 'HOOK_FAILED') {
        const rule = warns(event.HookFailureMode) ? rules/* DEPLOY_RULES */.q.hookWarning : rules/* DEPLOY_RULES */.q.hookFailed;
        return placed(rule, target, logicalId, '', {
            message: `Stack ${target.stackName}: CloudFormation Hook ${event.HookType ?? '(unnamed)'} ${event.HookStatus === 'HOOK_FAILED' ? 'could not run' : 'failed'}${logicalId ? ` on ${logicalId}` : ''}: ${oneLine(event.HookStatusReason ?? 'no reason given')}`,
        });
    }
    return undefined;
}
/** The hooks that will check resources when the change set runs, one finding per resource. */
async function plannedHooks(client, target) {
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    const byResource = new Map();
    let token;
    for (let page = 0; page < checks_MAX_PAGES; page++) {
        const answer = await client.send(new sdk.DescribeChangeSetHooksCommand({
            ChangeSetName: target.changeSet,
            StackName: target.stackName,
            NextToken: token,
        }));
        for (const hook of answer.Hooks ?? []) {
            const logicalId = hook.TargetDetails?.ResourceTargetDetails?.LogicalResourceId ?? '';
            const names = byResource.get(logicalId) ?? [];
            names.push(`${hook.TypeName ?? '(unnamed)'} (${hook.FailureMode ?? 'FAIL'})`);
            byResource.set(logicalId, names);
        }
        token = answer.NextToken;
        if (!token)
            break;
    }
    return [...byResource].map(([logicalId, hooks]) => placed(rules/* DEPLOY_RULES */.q.hookPlanned, target, logicalId || undefined, '', {
        message: `Stack ${target.stackName}: CloudFormation Hook${hooks.length === 1 ? '' : 's'} ${hooks.join(', ')} will check ${logicalId || 'the stack'} when the change set runs.`,
    }));
}
function placed(rule, target, logicalId, path, at) {
    const position = positionOf(target.template, logicalId, path);
    return (0,model_rules/* findingOf */.hD)(rule, {
        file: target.file,
        line: position?.line ?? 0,
        column: position?.column ?? 0,
        ...(logicalId ? { logicalId } : {}),
        ...at,
    });
}
/**
 * The deepest template node a validation path reaches: `/Resources/Bucket/Properties/Name` or,
 * relative to the resource, `/Properties/Name`; the resource itself when the path leads nowhere.
 */
function positionOf(template, logicalId, path) {
    const steps = path.split('/').filter(Boolean);
    if (steps[0] === 'Resources') {
        logicalId ??= steps[1];
        steps.splice(0, 2);
    }
    if (!logicalId)
        return undefined;
    const resource = (0,model_template/* entry */.f_)((0,model_template/* child */.jf)(template.root, 'Resources'), logicalId);
    if (!resource)
        return undefined;
    let position = resource.keyStart;
    let node = resource.value;
    for (const step of steps) {
        if ((0,model_template/* isMap */.jh)(node)) {
            const next = (0,model_template/* entry */.f_)(node, step);
            if (!next)
                break;
            position = next.keyStart;
            node = next.value;
        }
        else if ((0,model_template/* isSeq */.oP)(node) && /^\d+$/.test(step) && node.items[Number(step)]) {
            node = node.items[Number(step)];
            position = node.start;
        }
        else
            break;
    }
    return position;
}

// EXTERNAL MODULE: ./src/model/text.ts
var model_text = __webpack_require__(5086);
// EXTERNAL MODULE: ./src/deploy/preview.ts
var deploy_preview = __webpack_require__(2684);
;// CONCATENATED MODULE: ./src/deploy/drift.ts





/** Drift detection reads every resource of the stack; it gets at most this long. */
const MAX_DRIFT_WAIT_MS = 5 * 60_000;
/** Pages of drifted resources read at most (100 each). */
const MAX_DRIFT_PAGES = 20;
/**
 * DetectStackDrift, then DescribeStackDriftDetectionStatus until it finishes (bounded), then the
 * resources that differ from the template, with the properties that differ.
 */
async function detectDrift(client, stackName, poller, deadline, mask) {
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    const started = await client.send(new sdk.DetectStackDriftCommand({ StackName: stackName }));
    const id = started.StackDriftDetectionId;
    if (!id)
        return { status: 'failed', reason: 'DetectStackDrift returned no detection id' };
    const status = await (0,wait/* pollUntil */.g3)(poller, Math.min(deadline, poller.now() + MAX_DRIFT_WAIT_MS), `drift detection of stack ${stackName}`, async () => {
        const answer = await client.send(new sdk.DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: id }));
        return answer.DetectionStatus === 'DETECTION_IN_PROGRESS' ? undefined : answer;
    });
    // DETECTION_FAILED still reports the resources it could check; the rest are named as unchecked.
    const note = status.DetectionStatus === 'DETECTION_FAILED'
        ? `Drift detection did not check every resource: ${oneLine(status.DetectionStatusReason ?? 'no reason given')}`
        : undefined;
    const drifts = [];
    let token;
    for (let page = 0; page < MAX_DRIFT_PAGES; page++) {
        const answer = await client.send(new sdk.DescribeStackResourceDriftsCommand({
            StackName: stackName,
            StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
            MaxResults: 100,
            NextToken: token,
        }));
        drifts.push(...(answer.StackResourceDrifts ?? []));
        token = answer.NextToken;
        if (!token)
            break;
    }
    // Values are masked before they are shortened, so a cut can never leave part of a secret.
    const value = (v) => v === undefined ? undefined : (0,model_text/* shorten */.ml)(mask(v), deploy_preview/* MAX_PROPERTY_VALUE_LENGTH */.eD);
    const resources = drifts.map((d) => ({
        logicalId: d.LogicalResourceId ?? '?',
        resourceType: d.ResourceType ?? 'unknown',
        status: d.StackResourceDriftStatus === 'DELETED' ? 'deleted' : 'modified',
        differences: (d.PropertyDifferences ?? []).map((p) => ({
            path: (0,deploy_preview/* propertyPath */.Ty)(p.PropertyPath ?? ''),
            kind: p.DifferenceType === 'ADD'
                ? 'added'
                : p.DifferenceType === 'REMOVE'
                    ? 'removed'
                    : 'changed',
            ...(p.ExpectedValue !== undefined ? { expected: value(p.ExpectedValue) } : {}),
            ...(p.ActualValue !== undefined ? { actual: value(p.ActualValue) } : {}),
        })),
        overwritten: false,
    }));
    return { status: 'detected', resources, ...(note ? { note } : {}) };
}
/**
 * Mark the drifted resources the change set changes: with property values, only where a changed
 * property and a drifted one overlap; without them, any change to the resource.
 */
function markOverwritten(drift, changes) {
    const byId = new Map(changes.map((c) => [c.logicalId, c]));
    const overlaps = (a, b) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`) || !a || !b;
    for (const resource of drift) {
        const change = byId.get(resource.logicalId);
        if (!change)
            continue;
        const changed = change.properties?.map((p) => p.path);
        resource.overwritten =
            change.action !== 'modify' ||
                !changed?.length ||
                !resource.differences.length ||
                resource.differences.some((d) => changed.some((path) => overlaps(d.path, path)));
    }
}

// EXTERNAL MODULE: ./src/model/stacks.ts
var stacks = __webpack_require__(328);
;// CONCATENATED MODULE: ./src/deploy/deploy.ts















/** CloudFormation's limit for TemplateBody; larger templates must come from S3. */
const MAX_TEMPLATE_BODY = 51_200;
const BUSY = /_IN_PROGRESS$/;
const SUCCEEDED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);
const regionOf = (stack, ctx) => stack.region || ctx.defaultRegion;
/** A stack's deployment outcome. */
function deploymentOf(stack, region, status, message, extra = {}) {
    return {
        stackId: stack.id,
        stackName: stack.stackName,
        region,
        status,
        outputs: {},
        ...(message ? { message } : {}),
        ...extra,
    };
}
/**
 * Plan one stack (and in deploy mode execute it): create the change set for the stack's current
 * state, preview it, guard stateful resources, then delete it or run it to a final state.
 */
async function processStack(stack, ctx, mode) {
    const region = regionOf(stack, ctx);
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
    const deployment = (status, message, extra = {}) => deploymentOf(stack, region, status, message, extra);
    const cdk = stack.cdk;
    const notDone = `Stack ${stack.stackName} is not ${mode === 'plan' ? 'planned' : 'deployed'}`;
    if (cdk?.unsupported.length) {
        const why = `${cdk.unsupported.map((a) => `asset ${a.id} is a ${a.kind} asset`).join('; ')} (${cdk.manifestFile}), which this action does not build or publish. Deploy this stack with \`cdk deploy\`.`;
        if (mode !== 'plan')
            return fail(`${notDone}: ${why}`);
        plan.message = `Deploy will refuse stack ${stack.stackName}: ${why}`;
    }
    // A CDK stack's CloudFormation calls are made as its deploy role, as cdk deploy makes them.
    let aws = ctx.aws;
    try {
        if (cdk?.deployRole)
            aws = await ctx.aws.assumeRole(cdk.deployRole, region);
        // CloudFormation reads nested stack templates from S3 already to create the change set.
        if (cdk && mode !== 'execute')
            await publishFileAssets(stack.stackName, cdk.files.filter((asset) => asset.template), ctx.aws, ctx.log);
    }
    catch (error) {
        if (!(error instanceof errors/* UserError */.y))
            throw error;
        return fail(`${notDone}: ${(0,errors/* describeError */.U)(error)}`);
    }
    const client = await aws.cloudFormation(region);
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
        const started = await startChangeSet(stack, { ...ctx, aws }, mode, client, deadline, plan, template);
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
        if (error instanceof wait/* StoppedError */.Ko)
            return fail(error.message, 'cancelled');
        return fail(`Could not read change set ${ctx.changeSetName}: ${messageOf(error)}`);
    }
    const cleanUp = async () => {
        // A reviewed change set run by mode execute stays, so a blocked one can be run once allowed.
        if (mode === 'execute' || (mode === 'plan' && ctx.keepChangeSets))
            return;
        await deleteChangeSet(client, stack.stackName, changeSet).catch((error) => ctx.log.warning(`${stack.stackName}: could not delete change set ${ctx.changeSetName}: ${messageOf(error)}`));
    };
    // Read before the change set is deleted: a failed one is explained best by these.
    const checks = emptyUpFront ? [] : await readChecks(client, stack, changeSet, template, ctx);
    if (outcome.status === 'failed') {
        await cleanUp();
        return { ...fail(`The change set failed: ${outcome.reason}`), findings: checks };
    }
    if (outcome.status === 'empty') {
        plan.status = 'no-changes';
        if (!emptyUpFront)
            await cleanUp();
        const drifted = [...checks, ...driftFindings(plan, ctx, template, stack.template)];
        if (mode === 'plan' || blocks(drifted))
            return { plan, findings: drifted, ...blockedDeployment(mode, drifted, deployment) };
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
    const preview = (0,deploy_preview/* previewChanges */.Gy)(outcome.changes, ctx.mask, outcome.nested);
    plan.changes = preview.changes;
    plan.iamChanges = preview.iamChanges;
    if (plan.drift)
        markOverwritten(plan.drift, plan.changes);
    const findings = [
        ...checks,
        ...ctx.guard(plan, ctx.allowReplacement, template, stack.template),
        ...driftFindings(plan, ctx, template, stack.template),
    ];
    if (blocks(findings))
        plan.status = 'blocked';
    if (mode === 'plan' || blocks(findings)) {
        await cleanUp();
        return { plan, findings, ...blockedDeployment(mode, findings, deployment) };
    }
    // The code the resources point at goes up only once the change set may run.
    const code = cdk?.files.filter((asset) => !asset.template) ?? [];
    if (code.length) {
        try {
            await publishFileAssets(stack.stackName, code, ctx.aws, ctx.log);
        }
        catch (error) {
            if (!(error instanceof errors/* UserError */.y))
                throw error;
            await cleanUp();
            return {
                ...fail(`${notDone}: ${(0,errors/* describeError */.U)(error)}`),
                findings,
            };
        }
    }
    return {
        plan,
        findings,
        deployment: await executeChangeSet(client, stack, changeSet, ctx, !existing || existing.StackStatus === 'REVIEW_IN_PROGRESS', deadline, deployment),
    };
}
/** With drift: fail, an error per drifted resource at its template line; the plan is blocked. */
function driftFindings(plan, ctx, template, file) {
    if (ctx.drift !== 'fail' || !plan.drift?.length)
        return [];
    plan.status = 'blocked';
    return plan.drift.map((d) => {
        const resource = (0,model_template/* entry */.f_)((0,model_template/* child */.jf)(template.root, 'Resources'), d.logicalId);
        const what = d.status === 'deleted'
            ? 'was deleted'
            : `differs in ${d.differences.map((p) => p.path).join(', ') || 'its properties'}`;
        return (0,model_rules/* findingOf */.hD)(rules/* DEPLOY_RULES */.q.drifted, {
            file,
            line: resource?.keyStart.line ?? 0,
            column: resource?.keyStart.column ?? 0,
            logicalId: d.logicalId,
            message: `Stack ${plan.stackName}: ${d.resourceType} ${d.logicalId} drifted: it ${what} outside CloudFormation (input drift is fail).`,
        });
    });
}
/** Errors stop a deploy: the stateful guard's, drift with drift: fail, CloudFormation's own checks. */
const blocks = (findings) => findings.some((f) => f.severity === 'error');
/**
 * CloudFormation's validation and Hook results for the change set. An account or endpoint that
 * cannot answer (older regions, local test servers, a role without the permission) gets a warning.
 */
async function readChecks(client, stack, changeSet, template, ctx) {
    try {
        return await cloudFormationChecks(client, {
            stackName: stack.stackName,
            changeSet,
            template,
            file: stack.template,
        });
    }
    catch (error) {
        ctx.log.warning(`${stack.stackName}: CloudFormation's validation and Hook results could not be read: ${messageOf(error)}`);
        return [];
    }
}
/** In deploy and execute, a plan with blocking findings is not executed. */
function blockedDeployment(mode, findings, deployment) {
    if (mode === 'plan')
        return {};
    const why = findings.some((f) => f.source === 'cloudformation' && f.severity === 'error')
        ? "CloudFormation's own checks (pre-deployment validation or Hooks) failed"
        : findings.some((f) => f.ruleId === rules/* DEPLOY_RULES */.q.drifted.id)
            ? 'the stack has drifted and input drift is fail'
            : 'the change set would replace or delete stateful resources that allow-replacement does not name';
    return { deployment: deployment('failed', `Blocked: ${why}.`) };
}
/** Run a change set to a final state, streaming events; a timeout fails, never succeeds. */
async function executeChangeSet(client, stack, changeSet, ctx, created, deadline, deployment) {
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    if (ctx.poller.stop?.aborted)
        return deployment('cancelled', `Not executed: the run was cancelled (${String(ctx.poller.stop.reason)}).`);
    const events = new EventStream(client, stack.stackName, (event) => ctx.log.info(`${stack.stackName}: ${formatEvent(event)}`));
    await events.start();
    // An update is checked against the policy it comes with; a new stack gets it once it exists.
    if (!created)
        await applyStackPolicy(client, stack);
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
        const failure = firstFailure(events.events, stack.stackName);
        return deployment('failed', `ExecuteChangeSet failed: ${reason}`, failure ? { failure } : {});
    }
    let final;
    try {
        final = await waitForStack(client, stack.stackName, ctx.poller, deadline, events);
    }
    catch (error) {
        if (error instanceof wait/* StoppedError */.Ko) {
            const left = await cancelUpdate(client, stack.stackName);
            await events.poll().catch(() => []);
            return deployment('cancelled', `${error.message} ${left.note}`, left.extra);
        }
        if (!(error instanceof wait/* DeadlineError */.j3))
            throw error;
        const waited = `Still not finished after ${Math.round(ctx.timeoutMs / 60_000)} minute(s) (input timeout-minutes)`;
        if (!ctx.cancelOnTimeout) {
            return deployment('timed-out', `${waited}; cancel-on-timeout is false, so the stack keeps going in AWS, but this run fails.`);
        }
        const left = await cancelUpdate(client, stack.stackName);
        await events.poll().catch(() => []);
        return deployment('timed-out', `${waited}. ${left.note}`, left.extra);
    }
    await events.poll();
    const status = final.StackStatus ?? 'UNKNOWN';
    if (SUCCEEDED.has(status)) {
        await applyTerminationProtection(client, stack, final);
        if (created)
            await applyStackPolicy(client, stack);
        return deployment('succeeded', undefined, { stackStatus: status, outputs: outputsFrom(final) });
    }
    const failure = firstFailure(events.events, stack.stackName);
    return deployment('failed', rollbackOutcome(status, created), {
        stackStatus: status,
        ...(failure ? { failure } : {}),
    });
}
/**
 * Stop a running update with CancelUpdateStack, so CloudFormation rolls it back to where it was.
 * Only UPDATE_IN_PROGRESS can be cancelled: a create keeps going, and so is said.
 */
async function cancelUpdate(client, stackName) {
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    const status = (await describeStack(client, stackName).catch(() => undefined))?.StackStatus;
    if (status !== 'UPDATE_IN_PROGRESS') {
        return {
            note: `It was ${status ?? 'in an unknown state'}, which CancelUpdateStack cannot stop: it keeps going in AWS.`,
            extra: status
                ? {
                    stackStatus: status,
                    ...(/ROLLBACK_IN_PROGRESS$/.test(status) ? { rollingBack: true } : {}),
                }
                : {},
        };
    }
    try {
        await client.send(new sdk.CancelUpdateStackCommand({ StackName: stackName }));
    }
    catch (error) {
        return {
            note: `CancelUpdateStack failed (${messageOf(error)}): the update keeps going in AWS.`,
            extra: { stackStatus: status },
        };
    }
    return {
        note: 'The update was cancelled (CancelUpdateStack): CloudFormation is rolling the stack back to its previous state.',
        extra: { stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', rollingBack: true },
    };
}
/** The manifest's stack policy, set with SetStackPolicy (a stack without one keeps its own). */
async function applyStackPolicy(client, stack) {
    if (!stack.stackPolicy)
        return;
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    await client.send(new sdk.SetStackPolicyCommand({
        StackName: stack.stackName,
        StackPolicyBody: stack.stackPolicy,
    }));
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
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
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
    const resources = (0,model_template/* child */.jf)(template.root, 'Resources');
    if (!(0,model_template/* isMap */.jh)(resources))
        return [];
    return resources.entries.map((resource) => {
        const type = (0,model_template/* child */.jf)(resource.value, 'Type');
        const resourceType = (0,model_template/* isScalar */.jn)(type) ? String(type.value) : 'unknown';
        return {
            logicalId: resource.key,
            resourceType,
            action: 'add',
            replacementCauses: [],
            stateful: stateful/* STATEFUL_TYPES */.T.has(resourceType),
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
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
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
    const parameters = (0,model_template/* child */.jf)(template.root, 'Parameters');
    return new Set((0,model_template/* isMap */.jh)(parameters) ? parameters.entries.map((e) => e.key) : []);
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
    const sdk = await (0,deploy_aws/* s3Sdk */.jb)();
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
/**
 * Detect the stack's drift into the plan. A detection that fails or runs out of time is a note,
 * except with drift: fail, where it fails the plan (the returned message).
 */
async function readDrift(client, stack, ctx, deadline, plan) {
    let reason;
    try {
        const found = await detectDrift(client, stack.stackName, ctx.poller, deadline, ctx.mask);
        if (found.status === 'detected') {
            plan.drift = found.resources;
            if (found.note)
                plan.driftNote = found.note;
            return undefined;
        }
        reason = found.reason;
    }
    catch (error) {
        if (error instanceof wait/* StoppedError */.Ko)
            throw error;
        reason = messageOf(error);
    }
    if (ctx.drift === 'fail')
        return `Drift could not be detected, and input drift is fail: ${reason}`;
    plan.driftNote = `Drift was not detected: ${reason}`;
    return undefined;
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
    if (type === 'UPDATE' && ctx.drift !== 'ignore') {
        const refused = await readDrift(client, stack, ctx, deadline, plan);
        if (refused)
            return failed(refused);
    }
    const outputs = new Map();
    for (const dep of stack.dependsOn)
        outputs.set(dep, await ctx.outputsOf(dep));
    const { values, placeholders } = (0,stacks/* stackParameters */.vi)(stack, declaredParameters(template), (id, key) => outputs.get(id)?.[key]);
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
            revertDrift: type === 'UPDATE' && ctx.drift === 'revert',
        });
        if (type === 'UPDATE' && ctx.drift === 'revert')
            plan.revertsDrift = true;
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

;// CONCATENATED MODULE: ./src/deploy/removed.ts





/** Pages of a removed stack's resources read at most (100 each). */
const MAX_RESOURCE_PAGES = 20;
/**
 * A deployed stack that was in the manifest at the base commit and is not any more: shown as no
 * longer managed, its resources as removals guarded like a change set's. Mode deploy deletes it
 * only with delete-removed-stacks, never past termination protection or the stateful guard.
 */
async function removedStack(stack, ctx, options) {
    const region = regionOf(stack, ctx);
    const client = await ctx.aws.cloudFormation(region);
    const existing = await describeStack(client, stack.stackName);
    if (!existing || existing.StackStatus === 'REVIEW_IN_PROGRESS')
        return undefined;
    const protectedStack = existing.EnableTerminationProtection === true;
    const plan = {
        stackId: stack.id,
        stackName: stack.stackName,
        region,
        status: 'changes',
        changes: await resourcesOf(client, stack.stackName),
        iamChanges: [],
        unmanaged: true,
        message: `No longer managed: stack ${stack.id} is in ${options.manifestFile} at ${options.base} but not any more. ${protectedStack
            ? 'Termination protection is on, so it is never deleted: turn it off first.'
            : options.deleteRemoved
                ? 'Mode deploy deletes it (delete-removed-stacks: true).'
                : 'It is left as it is; set delete-removed-stacks: true to delete it in mode deploy.'}`,
    };
    // Guarded only where it would be deleted: a stack left alone loses nothing.
    const findings = options.deleteRemoved && !protectedStack
        ? ctx.guard(plan, ctx.allowReplacement, undefined, options.manifestFile)
        : [];
    if (options.mode !== 'deploy' || !options.deleteRemoved)
        return { plan, findings };
    const deployment = (status, message, stackStatus) => deploymentOf(stack, region, status, message, stackStatus ? { stackStatus } : {});
    if (protectedStack)
        return {
            plan,
            findings,
            deployment: deployment('failed', 'Not deleted: termination protection is on.'),
        };
    if (findings.length)
        return {
            plan,
            findings,
            deployment: deployment('failed', 'Not deleted: it holds stateful resources that allow-replacement does not name.'),
        };
    ctx.log.info(`${stack.stackName}: deleting it, as it left the manifest (delete-removed-stacks).`);
    try {
        await deleteStack(client, stack.stackName, ctx.poller, ctx.poller.now() + ctx.timeoutMs);
    }
    catch (error) {
        return {
            plan,
            findings,
            deployment: deployment('failed', `Deleting it failed: ${messageOf(error)}`),
        };
    }
    return {
        plan,
        findings,
        deployment: deployment('succeeded', 'Deleted: it left the manifest.', 'DELETE_COMPLETE'),
    };
}
/** Each resource of the stack as a removal; DeletionPolicy Retain/Snapshot from its template. */
async function resourcesOf(client, stackName) {
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    const kept = await retainedResources(client, stackName);
    const changes = [];
    let token;
    for (let page = 0; page < MAX_RESOURCE_PAGES; page++) {
        const answer = await client.send(new sdk.ListStackResourcesCommand({ StackName: stackName, NextToken: token }));
        for (const resource of answer.StackResourceSummaries ?? []) {
            if (resource.ResourceStatus === 'DELETE_COMPLETE')
                continue;
            const logicalId = resource.LogicalResourceId ?? '?';
            const type = resource.ResourceType ?? 'unknown';
            changes.push({
                logicalId,
                resourceType: type,
                action: 'remove',
                replacementCauses: [],
                stateful: stateful/* STATEFUL_TYPES */.T.has(type),
                blocked: false,
                ...(kept.has(logicalId) ? { retained: true } : {}),
            });
        }
        token = answer.NextToken;
        if (!token)
            break;
    }
    return changes;
}
/**
 * The resources whose DeletionPolicy keeps them (Retain, RetainExceptOnCreate, Snapshot), read from
 * the deployed template. A template that cannot be read keeps none: the guard then blocks more.
 */
async function retainedResources(client, stackName) {
    const sdk = await (0,deploy_aws/* cloudFormationSdk */.RH)();
    try {
        const answer = await client.send(new sdk.GetTemplateCommand({ StackName: stackName, TemplateStage: 'Processed' }));
        // Short-form tags (!Ref) are unknown to a plain YAML parser: they only cost a warning.
        const template = (0,dist/* parse */.qg)(answer.TemplateBody ?? '{}', {
            logLevel: 'silent',
            maxAliasCount: 50,
        });
        const kept = new Set();
        for (const [id, resource] of Object.entries(template?.Resources ?? {}))
            if (/^(Retain|RetainExceptOnCreate|Snapshot)$/.test(String(resource?.DeletionPolicy)))
                kept.add(id);
        return kept;
    }
    catch {
        return new Set();
    }
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
    const results = new Map();
    const selectedIds = new Set(selected.map((s) => s.id));
    const ctx = {
        log: deps.log,
        aws: deps.aws,
        poller: deps.stop ? { ...deps.poller, stop: deps.stop } : deps.poller,
        defaultRegion: settings.aws.region,
        changeSetName: mode === 'execute'
            ? settings.deploy.changeSetName
            : changeSetNameFor(deps.env, deps.poller.now()),
        allowReplacement: settings.deploy.allowReplacement,
        keepChangeSets: settings.deploy.keepChangeSets,
        recreateFailedStacks: settings.deploy.recreateFailedStacks,
        artifactBucket: settings.deploy.artifactBucket,
        timeoutMs: deps.timeoutMs ?? settings.deploy.timeoutMinutes * 60_000,
        cancelOnTimeout: settings.deploy.cancelOnTimeout,
        drift: settings.deploy.drift,
        mask: deps.mask ?? ((text) => text),
        guard: input.guard,
        templateFor: (stack) => {
            const template = input.templateOf.get(stack.id);
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
                    return unfinished(stack, ctx, 'skipped', `Skipped: stack ${blocker}, which it depends on, did not deploy.`);
            }
            return limit(async () => {
                const stop = ctx.poller.stop;
                if (stop?.aborted)
                    return unfinished(stack, ctx, 'cancelled', `Not started: the run was cancelled (${String(stop.reason)}).`);
                try {
                    return await processStack(stack, ctx, mode);
                }
                catch (error) {
                    if (error instanceof wait/* StoppedError */.Ko)
                        return unfinished(stack, ctx, 'cancelled', error.message);
                    throw error;
                }
            });
        })());
    }
    const done = await Promise.all(results.values());
    // After the managed stacks: one of them may still have used what a removed stack exports.
    for (const stack of input.removed?.stacks ?? []) {
        const result = await removedStack(stack, ctx, {
            mode,
            deleteRemoved: settings.deploy.deleteRemovedStacks,
            manifestFile: input.removed.manifestFile,
            base: input.removed.base,
        });
        if (result)
            done.push(result);
    }
    const findings = done.flatMap((r) => r.findings);
    for (const [index, result] of done.slice(0, selected.length).entries()) {
        findings.push(...outcomeFindings(result, selected[index], input.templateOf.get(selected[index].id)));
    }
    return {
        plan: done.map((r) => r.plan),
        ...(mode === 'plan'
            ? {}
            : { deployments: done.flatMap((r) => (r.deployment ? [r.deployment] : [])) }),
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
/** A stack the run did not get to, or left before it finished. */
function unfinished(stack, ctx, status, message) {
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
        deployment: deploymentOf(stack, region, status, message),
    };
}
/** Failed plans and deployments become error findings, at the failed resource when known. */
function outcomeFindings(result, stack, template) {
    const d = result.deployment;
    const failedPlan = result.plan.status === 'failed' && !d;
    if (!failedPlan && !(d && ['failed', 'timed-out', 'cancelled'].includes(d.status)))
        return [];
    if (result.plan.status === 'blocked')
        return [];
    const logicalId = d?.failure?.logicalId;
    const resource = logicalId && template
        ? (0,model_template/* entry */.f_)((0,model_template/* child */.jf)(template.root, 'Resources'), logicalId.split('/')[0]) // nested: its stack
        : undefined;
    const cause = d?.failure ? ` ${d.failure.logicalId}: ${d.failure.reason}.` : '';
    return [
        {
            source: 'change-set',
            ruleId: d
                ? d.status === 'timed-out'
                    ? rules/* DEPLOY_RULES */.q.deployTimedOut.id
                    : d.status === 'cancelled'
                        ? rules/* DEPLOY_RULES */.q.deployCancelled.id
                        : rules/* DEPLOY_RULES */.q.deployFailed.id
                : rules/* DEPLOY_RULES */.q.planFailed.id,
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
