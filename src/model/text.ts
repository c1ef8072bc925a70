import { randomBytes } from 'node:crypto';

/**
 * Wrap text that came from templates or tools so the runner ignores any `::command::` inside it:
 * `::stop-commands::TOKEN` pauses command processing until the same unguessable token comes back.
 */
export function withoutWorkflowCommands(text: string): string {
  const token = randomBytes(16).toString('hex');
  return `::stop-commands::${token}\n${text}\n::${token}::`;
}

/** A line the runner would read as a workflow command (it trims leading white space first). */
const COMMAND_LINE = /^\s*(::|##\[)/m;

/** Text for the log: wrapped in stop-commands only when a line of it looks like a command. */
export function logSafe(text: string): string {
  return COMMAND_LINE.test(text) ? withoutWorkflowCommands(text) : text;
}

/** cfn-lint lists every allowed value in some messages; a few hundred characters say enough. */
export const MAX_MESSAGE_LENGTH = 500;

/** One line of at most max characters, saying how much was cut. */
export function shorten(message: string, max = MAX_MESSAGE_LENGTH): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  return `${flat.slice(0, max - 1)}… (${flat.length - max + 1} more characters)`;
}

/** UTF-32 first: its little-endian mark begins with UTF-16's. */
const BYTE_ORDER_MARKS: [string, number[]][] = [
  ['UTF-32LE', [0xff, 0xfe, 0, 0]],
  ['UTF-32BE', [0, 0, 0xfe, 0xff]],
  ['UTF-16LE', [0xff, 0xfe]],
  ['UTF-16BE', [0xfe, 0xff]],
];

/** The UTF-16 or UTF-32 encoding a byte order mark announces, if the bytes start with one. */
export function wideEncoding(bytes: Uint8Array): string | undefined {
  return BYTE_ORDER_MARKS.find(([, mark]) => mark.every((b, i) => bytes[i] === b))?.[0];
}
