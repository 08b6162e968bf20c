/**
 * A situation that stops a process before it opens for work, and that it says in one line (no stack,
 * none of what it logged on the way): a data folder another process holds, a database whose schema
 * is not this release's. Nothing has been changed when one is thrown.
 */
export class StartRefusal extends Error {}

/**
 * The database has applied migrations this release does not know: a newer release migrated it (a
 * rollback, or a process of an older release beside newer ones). Running on it would write rows the
 * newer schema's rules never see, so nothing is opened.
 */
export class SchemaOfNewerRelease extends StartRefusal {
  constructor(readonly unknown: string[]) {
    super(
      `The database was migrated by a newer release of Chancery than this one: it has applied ${unknown.join(', ')}, which this release does not know. ` +
        'Run that release (or a later one), or restore the backup taken before the upgrade; nothing was changed.',
    );
    this.name = 'SchemaOfNewerRelease';
  }
}

/**
 * The database's schema is behind this release, and this process does not migrate (an operations
 * command reads the database as it is: it does not upgrade it on the way).
 */
export class SchemaBehindRelease extends StartRefusal {
  constructor(readonly pending: string[]) {
    super(
      `The database's schema is behind this release: ${pending.length} migration(s) not applied (${pending.join(', ')}). ` +
        'Upgrade it first (npm run migration:run, or a start of Chancery), then run this again; nothing was changed.',
    );
    this.name = 'SchemaBehindRelease';
  }
}
