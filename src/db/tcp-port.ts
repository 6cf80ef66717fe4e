import { createServer } from 'node:net';
import { coerceError } from '../lib/coerce-error.js';

/**
 * isPortFree tells whether a listener could bind `host:port` right now. Only a port taken by
 * someone else (EADDRINUSE) or not allowed to this user (EACCES) counts as not free; other errors
 * are thrown.
 */
export async function isPortFree(port: number, host: string): Promise<boolean> {
  try {
    await closeAfterListening(port, host);
    return true;
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'EADDRINUSE' || error.code === 'EACCES') return false;
    throw error;
  }
}

/**
 * findFreePort asks the kernel for a port that is free on `host` at this moment. Someone else may
 * take it before it is used: callers retry with another port when binding fails.
 */
export function findFreePort(host: string): Promise<number> {
  return closeAfterListening(0, host);
}

function closeAfterListening(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}
