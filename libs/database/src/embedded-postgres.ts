import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * PGlite (PostgreSQL compiled to WebAssembly, in-process) behind a loopback socket, so the rest of
 * Chancery talks to it with the same `pg` driver it uses for a real server. PGlite serves one
 * connection at a time: every pool on top of it must have a size of one.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
    readonly dataDir: string | undefined,
  ) {}

  /** Starts PGlite on `dataDir` (created if missing), or in memory when no folder is given. */
  static async start(dataDir?: string): Promise<EmbeddedPostgres> {
    let folder: string | undefined;
    if (dataDir) {
      folder = resolve(dataDir, 'pglite');
      await mkdir(folder, { recursive: true });
    }
    const db = await PGlite.create(folder);
    // Pools on top of it have a size of one; the second slot only lets a new connection in while
    // the socket of a closed one is still being torn down (the migrator's, at start-up).
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 2 });
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    return new EmbeddedPostgres(db, server, url, folder);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
