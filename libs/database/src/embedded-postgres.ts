import { existsSync, rmSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Logger } from '@nestjs/common';
import lockfile from 'proper-lockfile';
import { StartRefusal } from './start-refusal.js';

/**
 * The marker of a first filling of the embedded database that has not finished (the demo, loaded on
 * a first start). A start stopped during it leaves a database holding part of it, which no later
 * start could finish: its users exist, its cables not. A start that finds the marker discards that
 * database, and the files it names (the audit heads signed over it), under the folder's lock and
 * before it opens the folder, and begins afresh.
 */
const UNFINISHED = 'pglite.unfinished';

/** Marks `dataDir`'s database as being filled for the first time; `alsoDiscard`: the files that go with it. */
export async function markFirstFilling(dataDir: string, alsoDiscard: string[]): Promise<void> {
  await writeFile(join(dataDir, UNFINISHED), `${JSON.stringify({ alsoDiscard })}\n`, { mode: 0o600 });
}

/** The first filling is done: the database is kept from now on. */
export async function markFirstFillingDone(dataDir: string): Promise<void> {
  await rm(join(dataDir, UNFINISHED), { force: true });
}

/** Another process has the embedded database open. */
export class EmbeddedDatabaseBusyError extends StartRefusal {
  constructor(folder: string, owner?: number) {
    super(
      `The embedded database in ${folder} is in use by another Chancery process${owner ? ` (pid ${owner})` : ''}. ` +
        'Stop that process first, or point DATABASE_URL at a PostgreSQL server to run several.',
    );
    this.name = 'EmbeddedDatabaseBusyError';
  }
}

/**
 * The embedded database's first filling (the demo) was left unfinished by a start that was stopped,
 * and this process is not the one to discard and redo it (an operations command, a worker): only a
 * start of the API does that. Said, like a folder in use, in one line, and nothing is opened.
 */
export class FirstFillingUnfinishedError extends EmbeddedDatabaseBusyError {
  constructor(dataDir: string) {
    super(dataDir);
    this.message =
      `The embedded database in ${resolve(dataDir, 'pglite')} holds part of a first filling (the demo) that a start stopped before it finished: ` +
      'start Chancery (npm start), which discards that part and loads the demo again whole, then run this again.';
    this.name = 'FirstFillingUnfinishedError';
  }
}

/**
 * PGlite (PostgreSQL compiled to WebAssembly, in-process) behind a socket, so the rest of Chancery
 * talks to it with the same `pg` driver it uses for a real server. PGlite serves one connection at a
 * time: every pool on top of it must have a size of one. A lock on the folder keeps a second process
 * from opening the same files.
 *
 * The socket is a Unix one, in a folder of its own that only this user may enter (0700): PGlite
 * asks no password, so a loopback TCP port would let any local user or process read and rewrite
 * every cable and the audit log while Chancery runs. (Windows has no such sockets for `pg`; there
 * it stays on loopback TCP.)
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly unlock: (() => Promise<void>) | undefined,
    readonly url: string,
    readonly dataDir: string | undefined,
    /** The private folder holding the Unix socket, removed at stop. */
    readonly socketDir: string | undefined,
    private readonly removeSocketDir: (() => void) | undefined,
    /** This start found a first filling unfinished, and discarded what it had written (`markFirstFilling`). */
    readonly discardedUnfinished: boolean = false,
  ) {}

  /**
   * Starts PGlite on `dataDir` (created if missing), or in memory when no folder is given. A first
   * filling a stopped start left unfinished is discarded (`unfinished: 'discard'`, the API's start,
   * which fills it again), or refused with FirstFillingUnfinishedError, under the folder's lock.
   */
  static async start(dataDir?: string, { unfinished = 'discard' }: { unfinished?: 'discard' | 'refuse' } = {}): Promise<EmbeddedPostgres> {
    let folder: string | undefined;
    let unlock: (() => Promise<void>) | undefined;
    let discardedUnfinished = false;
    if (dataDir) {
      folder = resolve(dataDir, 'pglite');
      await mkdir(folder, { recursive: true });
      unlock = await lockDataFolder(folder);
      try {
        if (unfinished === 'refuse' && existsSync(join(dataDir, UNFINISHED))) throw new FirstFillingUnfinishedError(dataDir);
        discardedUnfinished = await discardUnfinished(dataDir, folder);
      } catch (error) {
        await unlock();
        throw error;
      }
    }
    let socketDir: string | undefined;
    let removeSocketDir: (() => void) | undefined;
    try {
      // `unaccent`: the cables search reads accented letters as plain ones (AddAccentInsensitiveSearch).
      const db = await PGlite.create(folder, { extensions: { unaccent } });
      // Pools on top of it have a size of one; the second slot only lets a new connection in while
      // the socket of a closed one is still being torn down (the migrator's, at start-up).
      const maxConnections = 2;
      let server: PGLiteSocketServer;
      let url: string;
      if (process.platform === 'win32') {
        server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
        await server.start();
        url = `postgres://postgres@${server.getServerConn()}/postgres`;
      } else {
        await removeDeadSocketDirs(socketParent());
        socketDir = await mkdtemp(join(socketParent(), 'chancery-db-')); // 0700
        removeSocketDir = removedAtExit(socketDir);
        server = new PGLiteSocketServer({ db, path: join(socketDir, `.s.PGSQL.${SOCKET_PORT}`), maxConnections });
        await server.start();
        // `pg` reaches a Unix socket as host = its folder, and the port names the file in it.
        url = `postgres://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(socketDir)}`;
      }
      return new EmbeddedPostgres(db, server, unlock, url, folder, socketDir, removeSocketDir, discardedUnfinished);
    } catch (error) {
      removeSocketDir?.();
      await unlock?.();
      throw error;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.server.stop();
      await this.db.close();
    } finally {
      this.removeSocketDir?.();
      await this.unlock?.();
    }
  }
}

/**
 * Where the socket's private folder goes: the system's temporary folder rather than the data folder,
 * since a socket's path is limited to about 100 bytes; /tmp when TMPDIR is itself too long for that.
 */
function socketParent(): string {
  const parent = tmpdir();
  return join(parent, 'chancery-db-XXXXXX', `.s.PGSQL.${SOCKET_PORT}`).length <= 100 ? parent : '/tmp';
}

/**
 * The socket's folder goes with the process however it ends (an exit on a failed start, a crash, the
 * forced exit after a signal), not only at `stop()`. Only SIGKILL leaves it (the next start clears
 * it). Answers what removes it at once, and no longer at exit.
 */
function removedAtExit(folder: string): () => void {
  const remove = () => rmSync(folder, { recursive: true, force: true });
  process.once('exit', remove);
  return () => {
    process.removeListener('exit', remove);
    remove();
  };
}

/**
 * Socket folders that processes killed outright (SIGKILL, a power cut) left behind: this user's,
 * older than a minute, whose socket nobody answers on any more. A live server's is left alone (its
 * socket answers), as is a starting one's and any other user's.
 */
async function removeDeadSocketDirs(parent: string): Promise<void> {
  const uid = process.getuid?.();
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith('chancery-db-')) continue;
    const folder = join(parent, name);
    try {
      const info = await lstat(folder); // a link planted there is not followed
      // One made in the last minute may belong to a server still starting (its socket not yet there).
      if (!info.isDirectory() || info.uid !== uid || Date.now() - info.mtimeMs < 60_000) continue;
      if (await answers(join(folder, `.s.PGSQL.${SOCKET_PORT}`))) continue;
      await rm(folder, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, or not ours to look into: nothing to clear.
    }
  }
}

/** Whether a server listens on the Unix socket `path` (refused, or no such socket: nobody does). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'));
    socket.setTimeout(1000, () => done(true)); // slow to answer is not dead
  });
}

/** The port in the socket file's name (`.s.PGSQL.5432`), as PostgreSQL and `pg` name it. */
const SOCKET_PORT = 5432;

const OWNER_FILE = 'owner.pid';

/** With the folder locked: a first filling's marker found, its database and the files it names are removed. */
async function discardUnfinished(dataDir: string, folder: string): Promise<boolean> {
  const marker = join(dataDir, UNFINISHED);
  let text: string;
  try {
    text = await readFile(marker, 'utf8');
  } catch {
    return false;
  }
  let alsoDiscard: string[] = [];
  try {
    const parsed = JSON.parse(text) as { alsoDiscard?: unknown };
    if (Array.isArray(parsed.alsoDiscard)) alsoDiscard = parsed.alsoDiscard.filter((file): file is string => typeof file === 'string');
  } catch {
    // A marker cut short by the stop itself still marks the filling unfinished.
  }
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  for (const file of alsoDiscard) await rm(file, { force: true });
  await rm(marker, { force: true });
  return true;
}

/**
 * Locks the data folder for this process. A lock left by a process that was killed is recognised
 * at once (the pid it names is gone) and taken over, rather than after proper-lockfile's staleness
 * timeout; a lock whose owner file is not written yet (its owner is starting) is left to that timeout.
 */
async function lockDataFolder(folder: string): Promise<() => Promise<void>> {
  const lockfilePath = `${folder}.lock`;
  for (let tryNo = 1; ; tryNo++) {
    try {
      // A lock refreshed late (a machine so busy that the 10 s refresh slipped past the 60 s
      // staleness) is not a reason to stop serving: no other process can take it over while our
      // owner file names a live pid, so it is reported, not thrown (proper-lockfile's default).
      const onCompromised = (error: Error) => new Logger('EmbeddedPostgres').warn(`The data folder's lock was not refreshed in time (${error.message}); still held by this process`);
      const unlock = await lockfile.lock(folder, { stale: 60_000, update: 10_000, lockfilePath, onCompromised });
      // proper-lockfile checks that the lock's mtime is still the one it set; writing the owner
      // file into it changes that, so put it back.
      const { atime, mtime } = await stat(lockfilePath);
      await writeFile(`${lockfilePath}/${OWNER_FILE}`, ownerLine(process.pid, await processIdentity(process.pid)));
      await utimes(lockfilePath, atime, mtime);
      return async () => {
        await rm(`${lockfilePath}/${OWNER_FILE}`, { force: true });
        await unlock();
      };
    } catch (error) {
      // ENOTEMPTY: proper-lockfile found the lock stale by age and could not rmdir it (our file).
      const code = (error as { code?: string }).code;
      if (code !== 'ELOCKED' && code !== 'ENOTEMPTY') throw error;
      const owner = parseOwner(await readFile(`${lockfilePath}/${OWNER_FILE}`, 'utf8').catch(() => ''));
      if (tryNo > 1 || !owner || (await ownerRuns(owner))) throw new EmbeddedDatabaseBusyError(folder, owner?.pid);
      new Logger('EmbeddedPostgres').log(`The data folder's lock was left by pid ${owner.pid}, which runs no longer (killed, or before a restart): taken over`);
      await rm(lockfilePath, { recursive: true, force: true });
    }
  }
}

/** Who holds the lock: its pid, and (where the system says) which process of that pid it was. */
interface LockOwner {
  pid: number;
  identity?: string;
}

const ownerLine = (pid: number, identity: string | undefined) => (identity ? `${pid} ${identity}` : String(pid));

function parseOwner(text: string): LockOwner | undefined {
  const [pid, identity] = text.trim().split(/\s+/);
  const number = Number(pid);
  return pid && Number.isInteger(number) && number > 0 ? { pid: number, ...(identity ? { identity } : {}) } : undefined;
}

/**
 * Whether the process that wrote the lock still runs. Pids are used again (after a reboot, and in a
 * container whose node is always pid 1, at every start), so a live pid is its owner only if it is
 * the same process: the same boot and start time (Linux's /proc). Where the system does not say, a
 * live pid is taken for the owner.
 */
async function ownerRuns(owner: LockOwner): Promise<boolean> {
  if (!isAlive(owner.pid)) return false;
  if (!owner.identity) return true;
  const now = await processIdentity(owner.pid);
  return now === undefined || now === owner.identity;
}

/** A process's identity on Linux: the boot it runs in and its start time in clock ticks since that boot. */
async function processIdentity(pid: number): Promise<string | undefined> {
  try {
    const [boot, stat] = await Promise.all([readFile('/proc/sys/kernel/random/boot_id', 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')]);
    // Field 22, counted after the command name's closing parenthesis (the name may hold spaces).
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return startTime ? `${boot.trim()}:${startTime}` : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'; // alive, but another user's
  }
}
