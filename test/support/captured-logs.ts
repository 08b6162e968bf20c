import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';

export interface CapturedLog {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
  context?: string;
}

/**
 * Runs `work` with Nest's logger replaced by one that keeps what is logged, and answers it, for a
 * test that provokes a failure on purpose: the spec asserts the log line instead of printing it.
 * `work` sees the lines as they come (to wait for one). Anything logged outside `work` still prints.
 */
export async function capturingLogs<T>(work: (logs: readonly CapturedLog[]) => Promise<T>): Promise<{ result: T; logs: CapturedLog[] }> {
  const logs: CapturedLog[] = [];
  const keep = (level: CapturedLog['level']) => (message: unknown, ...rest: unknown[]) => {
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    logs.push({ level, message: typeof message === 'string' ? message : JSON.stringify(message), ...(context ? { context } : {}) });
  };
  const captor: LoggerService = { log: keep('log'), error: keep('error'), warn: keep('warn'), debug: keep('debug'), verbose: keep('verbose'), fatal: keep('fatal') };
  Logger.overrideLogger(captor);
  try {
    return { result: await work(logs), logs };
  } finally {
    Logger.overrideLogger(new ConsoleLogger());
  }
}
