/** Where the run writes what it is doing: the action's log commands or the terminal. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
  debug(message: string): void;
}

export const silentLogger: Logger = { info() {}, warning() {}, notice() {}, debug() {} };
