import { DynamicModule, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { dataSourceOptions, type DatabaseTarget, migrate, type MigrationMode, openDatabase } from './data-source.js';
import { EmbeddedMaintenance } from './embedded-maintenance.js';
import { watchPool } from './pool-connections.js';

/**
 * Owns the database target. Migrations are applied while it starts, before TypeORM opens its pool,
 * and an embedded PGlite is stopped after the DataSource has closed.
 */
@Injectable()
export class DatabaseRuntime implements OnApplicationShutdown {
  constructor(
    readonly target: DatabaseTarget,
    private readonly embedded: EmbeddedPostgres | undefined,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** This start discarded a first filling a stopped start had left unfinished (`markFirstFilling`). */
  get discardedUnfinished(): boolean {
    return this.embedded?.discardedUnfinished ?? false;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.embedded.stop();
  }
}

@Module({})
class DatabaseRuntimeModule {}

@Module({})
export class DatabaseModule {
  /**
   * `fills`: this process fills the database (see openDatabase). `migrations`: a start brings the
   * schema up to this release (`apply`); an operations command reads it as it is and refuses one
   * behind (`check`). Either refuses a schema a newer release migrated.
   */
  static forRoot({ fills = false, migrations = 'apply' }: { fills?: boolean; migrations?: MigrationMode } = {}): DynamicModule {
    const runtimeModule: DynamicModule = {
      module: DatabaseRuntimeModule,
      global: true,
      providers: [
        {
          provide: DatabaseRuntime,
          inject: [APP_CONFIG, ModuleRef],
          useFactory: async (config: AppConfig, moduleRef: ModuleRef) => {
            const logger = new Logger('Database');
            const opened = await openDatabase(config, { fills });
            if (opened.embedded) logger.log(`No DATABASE_URL: embedded PostgreSQL (PGlite), data in ${opened.embedded.dataDir}`);
            const applied = await migrate(opened.target, migrations).catch(async (error: unknown) => {
              // A schema refused (or a failed upgrade) leaves the embedded database closed as it was found.
              await opened.embedded?.stop().catch(() => undefined);
              throw error;
            });
            if (applied.length > 0) logger.log(`Applied migrations: ${applied.join(', ')}`);
            return new DatabaseRuntime(opened.target, opened.embedded, moduleRef);
          },
        },
      ],
      exports: [DatabaseRuntime],
    };
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        runtimeModule,
        TypeOrmModule.forRootAsync({
          inject: [DatabaseRuntime],
          useFactory: (runtime: DatabaseRuntime) => ({ ...dataSourceOptions(runtime.target), autoLoadEntities: true }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            watchPool((dataSource.driver as unknown as { master: Pool }).master);
            return dataSource;
          },
        }),
      ],
      providers: [
        {
          provide: EmbeddedMaintenance,
          inject: [DataSource, DatabaseRuntime, APP_CONFIG],
          // A server vacuums and checkpoints itself (autovacuum, the checkpointer); PGlite does neither.
          useFactory: (dataSource: DataSource, runtime: DatabaseRuntime, config: AppConfig) =>
            new EmbeddedMaintenance(dataSource, runtime.target.embedded ? config.embeddedMaintenanceMs : 0),
        },
      ],
      exports: [runtimeModule, EmbeddedMaintenance],
    };
  }
}
