import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeIam {
  endpoint: string;
  /** Every request's Action and PolicyArn, in order. */
  requests: { action: string; arn: string }[];
  close(): Promise<void>;
}

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/**
 * A local IAM speaking its Query API: form-encoded `POST /` with Action=GetPolicy or
 * GetPolicyVersion, XML answers with the document URL-encoded as IAM sends it, and IAM's XML
 * error for an unknown ARN (404 NoSuchEntity). Point the real IAMClient at `endpoint`.
 */
export async function startFakeIam(policies: Record<string, unknown>): Promise<FakeIam> {
  const requests: FakeIam['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const action = form.get('Action') ?? '';
      const arn = form.get('PolicyArn') ?? '';
      requests.push({ action, arn });
      const reply = (status: number, xml: string) => {
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
      };
      const document = policies[arn];
      if (document === undefined) {
        reply(
          404,
          `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>Policy ${escape(arn)} does not exist or is not attachable.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
        );
        return;
      }
      const name = arn.slice(arn.lastIndexOf('/') + 1);
      const metadata = '<ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata>';
      if (action === 'GetPolicy') {
        reply(
          200,
          `<GetPolicyResponse xmlns="${NS}"><GetPolicyResult><Policy><PolicyName>${escape(name)}</PolicyName><DefaultVersionId>v3</DefaultVersionId><PolicyId>ANPAEXAMPLE</PolicyId><Path>/</Path><Arn>${escape(arn)}</Arn><AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable><CreateDate>2024-01-01T00:00:00Z</CreateDate><UpdateDate>2024-06-01T00:00:00Z</UpdateDate></Policy></GetPolicyResult>${metadata}</GetPolicyResponse>`,
        );
      } else if (action === 'GetPolicyVersion' && form.get('VersionId') === 'v3') {
        reply(
          200,
          `<GetPolicyVersionResponse xmlns="${NS}"><GetPolicyVersionResult><PolicyVersion><Document>${encodeURIComponent(JSON.stringify(document))}</Document><IsDefaultVersion>true</IsDefaultVersion><VersionId>v3</VersionId><CreateDate>2024-06-01T00:00:00Z</CreateDate></PolicyVersion></GetPolicyVersionResult>${metadata}</GetPolicyVersionResponse>`,
        );
      } else {
        reply(
          400,
          `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${escape(action)}</Message></Error><RequestId>r-3</RequestId></ErrorResponse>`,
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
