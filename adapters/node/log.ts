/** Structured logs: one JSON object a line on stdout. */
import type { Logger, LogLevel } from '../../src/deps.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLogger(min: LogLevel = 'info', write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  return {
    log(level, msg, fields) {
      if (ORDER[level] < ORDER[min]) return;
      write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
    },
  };
}
