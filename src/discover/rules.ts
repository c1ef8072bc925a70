import { defineRules } from '../model/rules.js';

export const DISCOVERY_RULES = defineRules({
  renderFailed: {
    id: 'R1001',
    source: 'discovery',
    severity: 'error',
    title:
      'Nunjucks rendering failed (undefined variable, syntax, a limit), an unsafe expression or an include outside the workspace was refused',
    description:
      'The Jinja-style template could not be rendered. Undefined variables and syntax errors name their line; expressions that reach JavaScript internals and includes that lead outside the workspace (also through links) are refused at their tag; a rendering past 10 s, 256 MiB or 1 MiB is stopped.',
    tags: ['rendering', 'security'],
    securitySeverity: '7.0',
  },
  renderingRefused: {
    id: 'R1002',
    source: 'discovery',
    severity: 'error',
    title: 'Not rendered: pull-request files in a job with credentials, and the network stays open',
    description:
      'On pull_request_target and workflow_run events a job holds secrets while it reads the pull request’s files, and on Node before 25 the renderer cannot be denied the network. Render Jinja-style templates in a job without credentials, or set trust-repo-config: true.',
    tags: ['rendering', 'security'],
    securitySeverity: '7.0',
  },
});
