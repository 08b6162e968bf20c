import { createServer } from 'node:net';
import { ConfigurationError } from './environment.js';

/** Why a host cannot be listened on, in words, by the error the system gave. */
function reason(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' || error.code === 'EAI_NONAME') return 'no such host name (it does not resolve)';
  if (error.code === 'EADDRNOTAVAIL') return 'not an address of this machine';
  return `cannot be listened on (${error.code ?? error.message})`;
}

/**
 * Refuses a `HOST` the process could not listen on (a name that does not resolve, an address of
 * another machine) as a bad setting, before anything starts or is written, rather than at listen,
 * after the migrations. Only the address is tried, on a port the system picks: whether `PORT` is
 * free is known only when the server listens.
 */
export async function checkListenHost(host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(new ConfigurationError([`HOST="${host}": ${reason(error)}`])));
    probe.listen(0, host, () => probe.close(() => resolve()));
  });
}
