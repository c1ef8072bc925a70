export const id = 839;
export const ids = [839];
export const modules = {

/***/ 8839:
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
// EXTERNAL MODULE: ./src/model/stateful.ts
var stateful = __webpack_require__(9817);
// EXTERNAL MODULE: ./src/model/stacks.ts
var stacks = __webpack_require__(328);
// EXTERNAL MODULE: ./src/deploy/preview.ts
var deploy_preview = __webpack_require__(2684);
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
    const preview = (0,deploy_preview/* previewChanges */.Gy)(outcome.changes);
    plan.changes = preview.changes;
    plan.iamChanges = preview.iamChanges;
    const findings = ctx.guard(plan, ctx.allowReplacement, template, stack.template);
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
    const results = new Map();
    const selectedIds = new Set(selected.map((s) => s.id));
    const ctx = {
        log: deps.log,
        aws: deps.aws,
        poller: deps.poller,
        defaultRegion: settings.aws.region,
        changeSetName: mode === 'execute'
            ? settings.deploy.changeSetName
            : changeSetNameFor(deps.env, deps.poller.now()),
        allowReplacement: settings.deploy.allowReplacement,
        keepChangeSets: settings.deploy.keepChangeSets,
        recreateFailedStacks: settings.deploy.recreateFailedStacks,
        artifactBucket: settings.deploy.artifactBucket,
        timeoutMs: deps.timeoutMs ?? settings.deploy.timeoutMinutes * 60_000,
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
                    return skipped(stack, ctx, blocker);
            }
            return limit(() => processStack(stack, ctx, mode));
        })());
    }
    const done = await Promise.all(results.values());
    const findings = done.flatMap((r) => r.findings);
    for (const [index, result] of done.entries()) {
        findings.push(...outcomeFindings(result, selected[index], input.templateOf.get(selected[index].id)));
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
    const resource = logicalId && template ? (0,model_template/* entry */.f_)((0,model_template/* child */.jf)(template.root, 'Resources'), logicalId) : undefined;
    const cause = d?.failure ? ` ${d.failure.logicalId}: ${d.failure.reason}.` : '';
    return [
        {
            source: 'change-set',
            ruleId: d
                ? d.status === 'timed-out'
                    ? rules/* DEPLOY_RULES */.q.deployTimedOut.id
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
