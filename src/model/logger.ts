/** Where the run writes what it is doing: the action's log commands or the terminal. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
  debug(message: string): void;
}

export const silentLogger: Logger = { info() {}, warning() {}, notice() {}, debug() {} };

/** Every message through the redaction layer first (secrets hidden, controls made visible). */
export function redactingLogger(log: Logger, redact: (text: string) => string): Logger {
  return {
    info: (m) => log.info(redact(m)),
    warning: (m) => log.warning(redact(m)),
    notice: (m) => log.notice(redact(m)),
    debug: (m) => log.debug(redact(m)),
  };
}
