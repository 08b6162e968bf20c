import { createServer } from 'node:net';
import { ConfigurationError } from './environment.js';

/** Why a host cannot be listened on, in words, by the error the system gave. */
function reason(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_NONAME') return 'no such host name (it does not resolve)';
  if (error.code === 'EAI_AGAIN') return 'its name could not be resolved now (the name service did not answer)';
  if (error.code === 'EADDRNOTAVAIL') return 'not an address of this machine';
  if (error.code === 'EADDRINUSE') return 'in use by another process';
  if (error.code === 'EACCES') return 'not open to this process (a port below 1024 needs privileges)';
  return `cannot be listened on (${error.code ?? error.message})`;
}

/**
 * What may pass by itself (a port the last instance still holds while it stops, a name service
 * that did not answer) is a failed start (exit 1), which a supervisor tries again; the rest is a
 * bad setting (exit 78), which it should not.
 */
const PASSING = new Set(['EADDRINUSE', 'EAI_AGAIN']);

function refusal(setting: string, error: NodeJS.ErrnoException): Error {
  const said = `${setting}: ${reason(error)}`;
  return PASSING.has(error.code ?? '') ? Object.assign(new Error(said), { code: error.code, syscall: error.syscall ?? 'listen' }) : new ConfigurationError([said]);
}

/**
 * Refuses a `HOST` and `PORT` the process could not listen on (a name that does not resolve, an
 * address of another machine, a port another process holds) before anything starts or is written
 * (on a first start: the admin's password, printed once), rather than at listen, after the
 * migrations. The port is tried and let go: one taken in between is still found at listen.
 */
export async function checkListenAddress(host: string, port: number): Promise<void> {
  const tried = (at: number, setting: string) =>
    new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', (error: NodeJS.ErrnoException) => reject(refusal(setting, error)));
      probe.listen(at, host, () => probe.close(() => resolve()));
    });
  await tried(0, `HOST="${host}"`);
  if (port !== 0) await tried(port, `PORT=${port} on ${host}`);
}
