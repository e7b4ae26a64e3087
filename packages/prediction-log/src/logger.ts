type LogFields = Record<string, unknown>;

/** How the log reports what happens to it: the app's JSON-lines logger fits as it is. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const line = (level: string) => (msg: string, fields?: LogFields) => {
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`);
};

/** Without the app's logger: warnings and errors as JSON lines on stderr. */
export const stderrLogger: Logger = { info() {}, warn: line('warn'), error: line('error') };
