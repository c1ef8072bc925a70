/**
 * The one redaction layer every channel goes through (log, comment, summary, annotations, SARIF,
 * JSON report, CLI output, action outputs): secret values become `****`, credentials in tool and
 * API messages are stripped, and invisible control characters are made visible.
 */

/** Shorter values are not secrets worth hiding, and masking them would garble every message. */
const MIN_SECRET_LENGTH = 4;
export const MASK = '****';

/** Credentials that AWS and GitHub error texts (and URLs in them) can carry. */
const CREDENTIAL_PATTERNS: [RegExp, string][] = [
  [/\b(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"'<>]+/gi, `$1${MASK}`],
  [/\b((?:Signature|Credential|SignedHeaders)=)[^,\s&"'<>]+/g, `$1${MASK}`],
  [/\b(Authorization:\s*)\S+(?:\s+\S+)?/gi, `$1${MASK}`],
  [/\b(Bearer\s+)[A-Za-z0-9._~+/-]+=*/g, `$1${MASK}`],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, MASK],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, MASK],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, MASK],
  [/\b(aws_secret_access_key|aws_session_token)(\s*[=:]\s*)\S+/gi, `$1$2${MASK}`],
];

/**
 * Characters that change how text reads without being seen (bidi overrides, zero-width, line
 * separators) or that terminals and logs interpret (C0 / C1 controls but tab and newline).
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

export function visibleControls(text: string): string {
  return text.replace(
    INVISIBLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

/** Environment variables whose values are credentials, by name. */
const CREDENTIAL_NAME =
  /SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|(^|_)KEY$|ACCESS_KEY|API_KEY/i;

/** The job's own credentials: every environment value whose name says it is one. */
export function credentialValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value && CREDENTIAL_NAME.test(name))
    .map(([, value]) => value!);
}

export class Redactor {
  private readonly values = new Set<string>();
  private sorted: string[] = [];

  /** @param onSecret told of each new secret, e.g. core.setSecret so the runner masks it too */
  constructor(private readonly onSecret: (value: string) => void = () => {}) {}

  /** Secret values found in the repository's files (NoEcho parameters, user-named ones). */
  add(...values: (string | undefined)[]): void {
    this.register(values, true);
  }

  /** The job's own credentials: hidden here, but not announced, as the runner already masks them. */
  addCredentials(...values: (string | undefined)[]): void {
    this.register(values, false);
  }

  private register(values: (string | undefined)[], announce: boolean): void {
    let changed = false;
    for (const value of values) {
      if (!value || value.length < MIN_SECRET_LENGTH || this.values.has(value)) continue;
      this.values.add(value);
      if (announce) this.onSecret(value);
      changed = true;
      // A value with several lines is also masked line by line, as the runner does.
      for (const line of value.split(/\r?\n/)) {
        if (line.trim().length >= MIN_SECRET_LENGTH && !this.values.has(line)) {
          this.values.add(line);
        }
      }
    }
    if (changed) this.sorted = [...this.values].sort((a, b) => b.length - a.length);
  }

  /** Secret values and credentials removed; for rendered markdown and files. */
  secrets(text: string): string {
    let out = text;
    for (const value of this.sorted) if (out.includes(value)) out = out.split(value).join(MASK);
    for (const [pattern, replacement] of CREDENTIAL_PATTERNS)
      out = out.replace(pattern, replacement);
    return out;
  }

  /** For text shown as it is (log lines, messages): secrets removed and controls made visible. */
  text(text: string): string {
    return visibleControls(this.secrets(text));
  }

  /** A copy of data with every string passed through `text`. */
  deep<T>(value: T, depth = 0): T {
    if (typeof value === 'string') return this.text(value) as T;
    if (depth > 100 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.deep(v, depth + 1)) as T;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[this.text(key)] = this.deep(v, depth + 1);
    return out as T;
  }
}
