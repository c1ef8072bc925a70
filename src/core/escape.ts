import { randomBytes } from 'node:crypto';

/**
 * Wrap text that came from templates or tools so the runner ignores any `::command::` inside it:
 * `::stop-commands::TOKEN` pauses command processing until the same unguessable token comes back.
 */
export function withoutWorkflowCommands(text: string): string {
  const token = randomBytes(16).toString('hex');
  return `::stop-commands::${token}\n${text}\n::${token}::`;
}
