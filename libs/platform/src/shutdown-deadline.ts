/**
 * Makes SIGTERM and SIGINT end the process within `ms`, whatever shutdown work hangs (a request that
 * never finishes, a database that stopped answering). Nest's shutdown hooks run first and normally
 * finish well before; this is the backstop an operator relies on when they do not.
 */
export function exitWithinAfterSignal(ms = 10_000, log: (line: string) => void = (line) => console.error(line)): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // `once`: after it, Nest re-sends the signal to itself and no listener is left to swallow it.
    process.once(signal, () => {
      setTimeout(() => {
        log(`Shutdown did not finish within ${ms / 1000} s of ${signal}; exiting now.`);
        process.exit(1);
      }, ms).unref();
    });
  }
}
