import { join, resolve } from 'node:path';

/**
 * EmbeddedPostgresLayout is where the embedded PostgreSQL keeps its files, all under
 * `<dataDir>/postgres` (the rest of the data directory belongs to other parts of pvesphere):
 *
 * | path | what | owner, mode |
 * |---|---|---|
 * | `postgres/` | this layout's root | the pvesphere process user, 0755 |
 * | `postgres/data/` | PGDATA, the cluster | the OS user running PostgreSQL (`postgres` as root), 0700 |
 * | `postgres/password` | the superuser's password | the OS user running PostgreSQL, 0600 |
 * | `postgres/port` | the port chosen automatically, reused at the next start while free | process user |
 * | `postgres/owner.pid` | pid + start time of the pvesphere process that owns the server | process user |
 * | `postgres/server.log` | PostgreSQL's own log (rotated to `.1` beyond 10 MB) | process user, 0600 |
 * | `postgres/bin-<version>/` | a copy of the binaries, only when the installed ones are unreachable (see ensureReachableBinaries) | process user, 0755 |
 */
export interface EmbeddedPostgresLayout {
  root: string;
  pgdata: string;
  passwordFile: string;
  portFile: string;
  logFile: string;
}

/** embeddedPostgresLayout returns the {@link EmbeddedPostgresLayout} inside `dataDir`. */
export function embeddedPostgresLayout(dataDir: string): EmbeddedPostgresLayout {
  const root = join(resolve(dataDir), 'postgres');
  return {
    root,
    pgdata: join(root, 'data'),
    passwordFile: join(root, 'password'),
    portFile: join(root, 'port'),
    logFile: join(root, 'server.log'),
  };
}
