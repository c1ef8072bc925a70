/** What a CDK cloud assembly tells about the templates it holds, for findings a CDK user can act on. */

/** The construct that produced a resource, and where the app created it (with `cdk synth --debug`). */
export interface ConstructInfo {
  /** Construct path, e.g. `LakeDev/CrawlerRole/Resource`. */
  path: string;
  /** The app's own source line that created the construct, repository-relative, when known. */
  source?: { file: string; line: number; column: number };
}

/** A stack template (or nested stack template) of a cloud assembly. */
export interface CdkTemplate {
  /** The stack artifact id in manifest.json that holds it. */
  artifactId: string;
  /** From the stack's environment `aws://ACCOUNT/REGION`; absent when environment-agnostic. */
  account?: string;
  region?: string;
  /** Constructs by logical id. */
  constructs: Record<string, ConstructInfo>;
}

/** Where `cdk synth` writes the cloud assembly inside an app folder (input cdk-app). */
export const CDK_ASSEMBLY_FOLDER = 'cdk.out';
