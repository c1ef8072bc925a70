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

/** A role to act as through STS AssumeRole: a CDK bootstrap role, as the assembly names it. */
export interface RoleToAssume {
  arn: string;
  externalId?: string;
}

/** One file asset of a stack's asset manifest, with its placeholders filled. */
export interface CdkFileAsset {
  id: string;
  /** Absolute path of the file or folder, resolved inside the workspace by its real path. */
  source: string;
  /** The same, repository-relative, for messages. */
  file: string;
  /** `zip`: a folder zipped before upload; `file`: uploaded as is. */
  packaging: 'file' | 'zip';
  /** Nested stack templates, which CloudFormation reads already when it creates a change set. */
  template: boolean;
  destinations: { bucket: string; key: string; region: string; role?: RoleToAssume }[];
}

/** What deploying a CDK stack needs beyond its template: the deploy role and the assets. */
export interface CdkDeployment {
  manifestFile: string;
  deployRole?: RoleToAssume;
  files: CdkFileAsset[];
  /** Container image assets (ids) and executable ones, which this action does not build. */
  unsupported: { id: string; kind: 'container image' | 'executable file' }[];
}
