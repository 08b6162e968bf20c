import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@chancery/database';
import { ALL_MIGRATIONS } from '@chancery/migrations';
import { createEmptyTestDatabase } from './test-database.js';

/**
 * For a test of one migration on data stored before it: an empty database of its own, the schema as
 * it stood just before `migration` (`before()`, a DataSource to write the old rows with, to destroy
 * once written), then every migration (`upgrade()`, the DataSource the rest of the test reads with).
 */
export function migrationUnderTest(label: string, migration: string) {
  let database: Awaited<ReturnType<typeof createEmptyTestDatabase>> | undefined;
  let dataSource: DataSource | undefined;
  beforeAll(async () => {
    database = await createEmptyTestDatabase(label);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });
  const target = () => {
    if (!database) throw new Error('migrationUnderTest used before beforeAll made its database');
    return database.target;
  };
  return {
    /** The database's target and url, for what else the test opens on it. */
    get target() {
      return target();
    },
    get url() {
      return target().url;
    },
    async before(): Promise<DataSource> {
      const index = ALL_MIGRATIONS.findIndex((m) => new m().name === migration);
      if (index < 1) throw new Error(`No migration ${migration} after the first`);
      const old = await new DataSource({ ...dataSourceOptions(target()), migrations: ALL_MIGRATIONS.slice(0, index) }).initialize();
      await old.runMigrations();
      return old;
    },
    async upgrade(): Promise<DataSource> {
      dataSource = await new DataSource(dataSourceOptions(target())).initialize();
      await dataSource.runMigrations();
      return dataSource;
    },
  };
}
