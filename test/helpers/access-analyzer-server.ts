import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A finding as the fake returns it; `at` names a JSON path whose span the server computes. */
export interface FakeFinding {
  findingType: 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION';
  issueCode: string;
  findingDetails: string;
  learnMoreLink?: string;
  /** Path into the policy, e.g. ['Statement', 0, 'Action', 1]; the span is found in the text. */
  at?: (string | number)[];
}

export interface ValidationRequest {
  policyDocument: string;
  policyType: string;
  validatePolicyResourceType?: string;
  maxResults?: number;
  nextToken?: string;
}

export interface FakeAnalyzerOptions {
  /** Findings for a document; default none. */
  findings?: (document: unknown, request: ValidationRequest) => FakeFinding[];
  /** Page size when the client sends no maxResults. */
  pageSize?: number;
  /** Milliseconds before each answer (the bench's network latency). */
  latencyMs?: number;
  /** Answer this many ValidatePolicy calls with 429 ThrottlingException first. */
  throttleFirst?: number;
  /** A hard error for a request, e.g. {status: 500, type: 'InternalServerException'}. */
  fail?: (
    request: ValidationRequest,
  ) => { status: number; type: string; message: string } | undefined;
  /** CheckNoPublicAccess result for a document; default PASS. */
  publicAccess?: (
    document: unknown,
    resourceType: string,
  ) => { result: 'PASS' | 'FAIL'; message: string; reasons?: unknown[] };
  /** CheckAccessNotGranted result for a document and its one access item; default PASS. */
  accessNotGranted?: (document: unknown, access: AccessItem, policyType: string) => CheckAnswer;
  /** A hard error for every CheckAccessNotGranted and CheckNoNewAccess call. */
  failChecks?: { status: number; type: string; message: string };
  /** CheckNoNewAccess result for the new and the existing document; default PASS. */
  noNewAccess?: (next: unknown, existing: unknown, policyType: string) => CheckAnswer;
}

export interface AccessItem {
  actions?: string[];
  resources?: string[];
}

export interface CheckAnswer {
  result: 'PASS' | 'FAIL';
  message: string;
  reasons?: { description?: string; statementIndex?: number; statementId?: string }[];
}

export interface FakeAnalyzer {
  endpoint: string;
  /** Every ValidatePolicy request body, including retried ones. */
  requests: ValidationRequest[];
  publicAccessRequests: { policyDocument: string; resourceType: string }[];
  accessNotGrantedRequests: { policyDocument: string; policyType: string; access: AccessItem[] }[];
  noNewAccessRequests: {
    newPolicyDocument: string;
    existingPolicyDocument: string;
    policyType: string;
  }[];
  /** Most requests in flight at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

/**
 * A local IAM Access Analyzer speaking its REST-JSON wire format: `POST /policy/validation` (query
 * maxResults and nextToken), `POST /policy/check-no-public-access`, `/policy/check-access-not-granted`
 * (with the API's limits on `access`) and `/policy/check-no-new-access`. Point the real
 * AccessAnalyzerClient at `endpoint` with any credentials.
 */
export async function startFakeAnalyzer(options: FakeAnalyzerOptions = {}): Promise<FakeAnalyzer> {
  const requests: ValidationRequest[] = [];
  const publicAccessRequests: FakeAnalyzer['publicAccessRequests'] = [];
  const accessNotGrantedRequests: FakeAnalyzer['accessNotGrantedRequests'] = [];
  const noNewAccessRequests: FakeAnalyzer['noNewAccessRequests'] = [];
  let throttled = 0;
  let inFlight = 0;
  const state = { maxInFlight: 0 };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        setTimeout(() => {
          inFlight--;
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        }, options.latencyMs ?? 0);
      };
      const url = new URL(req.url ?? '/', 'http://localhost');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
          string,
          unknown
        >;
      } catch {
        send(400, { message: 'body is not JSON' }, { 'x-amzn-errortype': 'ValidationException' });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/policy/check-no-public-access') {
        const request = body as { policyDocument: string; resourceType: string };
        publicAccessRequests.push(request);
        send(
          200,
          options.publicAccess?.(JSON.parse(request.policyDocument), request.resourceType) ?? {
            result: 'PASS',
            message: 'The resource policy does not grant public access.',
            reasons: [],
          },
        );
        return;
      }
      const invalid = (message: string) =>
        send(400, { message, reason: 'other' }, { 'x-amzn-errortype': 'ValidationException' });
      const checkRoute = ['/policy/check-access-not-granted', '/policy/check-no-new-access'];
      if (req.method === 'POST' && checkRoute.includes(url.pathname) && options.failChecks) {
        const { status, type, message } = options.failChecks;
        if (url.pathname.endsWith('not-granted'))
          accessNotGrantedRequests.push(body as FakeAnalyzer['accessNotGrantedRequests'][number]);
        else noNewAccessRequests.push(body as FakeAnalyzer['noNewAccessRequests'][number]);
        send(status, { message }, { 'x-amzn-errortype': type });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/policy/check-access-not-granted') {
        const request = body as FakeAnalyzer['accessNotGrantedRequests'][number];
        accessNotGrantedRequests.push(request);
        // The API's limits: one access item of at most 100 actions and 100 resources.
        const [item, ...more] = request.access ?? [];
        if (!item || more.length) return invalid('access must hold exactly 1 item');
        if ((item.actions?.length ?? 0) > 100 || (item.resources?.length ?? 0) > 100)
          return invalid('at most 100 actions and 100 resources');
        if (!['IDENTITY_POLICY', 'RESOURCE_POLICY'].includes(request.policyType))
          return invalid(`policyType ${request.policyType}`);
        send(
          200,
          options.accessNotGranted?.(
            JSON.parse(request.policyDocument),
            item,
            request.policyType,
          ) ?? {
            result: 'PASS',
            message:
              'The policy document does not grant access to perform the listed actions or resources.',
            reasons: [],
          },
        );
        return;
      }
      if (req.method === 'POST' && url.pathname === '/policy/check-no-new-access') {
        const request = body as FakeAnalyzer['noNewAccessRequests'][number];
        noNewAccessRequests.push(request);
        if (!['IDENTITY_POLICY', 'RESOURCE_POLICY'].includes(request.policyType))
          return invalid(`policyType ${request.policyType}`);
        send(
          200,
          options.noNewAccess?.(
            JSON.parse(request.newPolicyDocument),
            JSON.parse(request.existingPolicyDocument),
            request.policyType,
          ) ?? {
            result: 'PASS',
            message:
              'The modified permissions grant no new access compared to your existing policy.',
            reasons: [],
          },
        );
        return;
      }
      if (req.method !== 'POST' || url.pathname !== '/policy/validation') {
        send(
          404,
          { message: `no route ${req.method} ${url.pathname}` },
          { 'x-amzn-errortype': 'ResourceNotFoundException' },
        );
        return;
      }
      const request: ValidationRequest = {
        ...(body as { policyDocument: string; policyType: string }),
        ...(url.searchParams.get('maxResults')
          ? { maxResults: Number(url.searchParams.get('maxResults')) }
          : {}),
        ...(url.searchParams.get('nextToken')
          ? { nextToken: url.searchParams.get('nextToken')! }
          : {}),
      };
      requests.push(request);
      if (throttled < (options.throttleFirst ?? 0)) {
        throttled++;
        send(
          429,
          { message: 'Rate exceeded' },
          { 'x-amzn-errortype': 'ThrottlingException', 'retry-after': '0' },
        );
        return;
      }
      const failure = options.fail?.(request);
      if (failure) {
        send(failure.status, { message: failure.message }, { 'x-amzn-errortype': failure.type });
        return;
      }
      let document: unknown;
      try {
        document = JSON.parse(request.policyDocument);
      } catch {
        send(
          400,
          { message: 'Invalid policy document', reason: 'other' },
          { 'x-amzn-errortype': 'ValidationException' },
        );
        return;
      }
      const all = (options.findings?.(document, request) ?? []).map((f) =>
        toWire(f, request.policyDocument, document),
      );
      const size = request.maxResults ?? options.pageSize ?? 100;
      const start = Number(request.nextToken ?? 0);
      const page = all.slice(start, start + size);
      send(200, {
        findings: page,
        ...(start + size < all.length ? { nextToken: String(start + size) } : {}),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    publicAccessRequests,
    accessNotGrantedRequests,
    noNewAccessRequests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of a run that stopped early would hold close() for seconds.
        server.closeAllConnections();
      }),
  };
}

/** The finding on the wire: the path as Access Analyzer writes it and the span of that value. */
function toWire(finding: FakeFinding, text: string, document: unknown) {
  const { at, ...rest } = finding;
  if (!at)
    return {
      ...rest,
      learnMoreLink:
        finding.learnMoreLink ??
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
      locations: [],
    };
  const path = at.map((step) => (typeof step === 'number' ? { index: step } : { value: step }));
  let value: unknown = document;
  for (const step of at) value = (value as Record<string | number, unknown>)[step];
  // The value's own text, searched after its key so equal values elsewhere are not picked.
  const lastKey = [...at].reverse().find((s) => typeof s === 'string') as string;
  const from = text.indexOf(JSON.stringify(lastKey));
  const offset = text.indexOf(JSON.stringify(value), from);
  const end = offset + JSON.stringify(value).length;
  const position = (o: number) => {
    const before = text.slice(0, o);
    return { line: before.split('\n').length, column: o - before.lastIndexOf('\n') - 1, offset: o };
  };
  return {
    ...rest,
    learnMoreLink:
      finding.learnMoreLink ??
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
    locations: [{ path, span: { start: position(offset), end: position(end) } }],
  };
}
