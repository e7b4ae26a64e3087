import type { LogLevel } from '@glyco/contract';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` (e.g. `request_id`). */
  child(fields: LogFields): Logger;
  /** Writes buffered lines now: before exit and before a Lambda invocation returns. */
  flush(): void;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where whole lines go; defaults to stdout. */
  write?: (chunk: string) => void;
}

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
/** Flush early when this much is buffered, so a burst cannot grow the buffer without bound. */
const MAX_BUFFERED_CHARS = 64 * 1024;

/** Buffered lines of every logger are written when the process exits, however it exits. */
const flushOnExit = new Set<() => void>();
process.once('exit', () => {
  for (const flush of flushOnExit) flush();
});

function serializeError(error: Error): LogFields {
  return { name: error.name, message: error.message, stack: error.stack };
}

let isoMillis = -1;
let isoTime = '';
/** `new Date().toISOString()` costs a microsecond; under load many lines share a millisecond. */
function now(): string {
  const millis = Date.now();
  if (millis !== isoMillis) {
    isoMillis = millis;
    isoTime = new Date(millis).toISOString();
  }
  return isoTime;
}

function toLine(level: string, msg: string, bindings: LogFields, fields: LogFields | undefined): string {
  const entry: LogFields = { level, time: now(), msg, ...bindings, ...fields };
  for (const key in entry) if (entry[key] instanceof Error) entry[key] = serializeError(entry[key]);
  return `${JSON.stringify(entry)}\n`;
}

/**
 * A JSON-lines logger. Lines are buffered and written once per event-loop turn: one write per turn instead of
 * one per request keeps access logging off the hot path.
 */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = SEVERITY[options.level];
  const write = options.write ?? ((chunk: string) => process.stdout.write(chunk));
  let buffer = '';
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    if (buffer === '') return;
    const chunk = buffer;
    buffer = '';
    write(chunk);
  }

  function append(line: string): void {
    buffer += line;
    if (buffer.length >= MAX_BUFFERED_CHARS) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush).unref();
    }
  }

  flushOnExit.add(flush);

  function bind(bindings: LogFields): Logger {
    const at =
      (level: Exclude<LogLevel, 'silent'>) =>
      (msg: string, fields?: LogFields): void => {
        if (SEVERITY[level] >= threshold) append(toLine(level, msg, bindings, fields));
      };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (fields) => bind({ ...bindings, ...fields }),
      flush,
    };
  }
  return bind({});
}
