import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import { DatabaseRuntime } from '@chancery/database';
import { AggregateRepositoryFactory } from './aggregate/aggregate.repository.js';
import { CommandCommitter } from './commit/command-committer.js';
import { FeedNotifier } from './projections/feed-notifier.js';
import { relevantTo } from './projections/projection.js';
import { ProjectionRegistry } from './projections/projection.registry.js';
import { ProjectionRunner } from './projections/projection-runner.js';
import { EventStore } from './store/event-store.js';
import { SnapshotStore } from './store/snapshot-store.js';
import { UpcasterRegistry } from './store/upcasting.js';

export interface EventStoreModuleOptions {
  /** Start the async projection runner in this process (default: PROJECTIONS_INLINE). */
  runProjections?: boolean;
}

/** Whether this process runs the async projections (and the schedulers that go with them). */
export const RUN_PROJECTIONS = Symbol('RUN_PROJECTIONS');

/** Applies inline projections in the transaction of every command, and runs the async ones. */
@Injectable()
class ProjectionLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly committer: CommandCommitter,
    private readonly registry: ProjectionRegistry,
    private readonly runner: ProjectionRunner,
    private readonly notifier: FeedNotifier,
    private readonly runtime: DatabaseRuntime,
    @Inject(RUN_PROJECTIONS) private readonly runProjections: boolean,
  ) {}

  onModuleInit(): void {
    this.committer.register({
      name: 'inline-projections',
      order: 10,
      onCommit: async (tx, commit) => {
        for (const projection of this.registry.inline) {
          const events = relevantTo(projection, commit.events);
          if (events.length > 0) await projection.apply(tx, events);
        }
      },
    });
  }

  onApplicationBootstrap(): void {
    // Embedded mode has one process, woken in-process; a server may have runners elsewhere.
    if (!this.runtime.target.embedded) this.notifier.start();
    if (this.runProjections) this.runner.start();
  }

  // On module destroy, the first shutdown phase: TypeORM closes its pool in the last one, and a
  // batch still running then fails with "Query runner already released".
  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
    await this.notifier.stop();
  }
}

/** Once every module has declared its event versions and registered its upcasters: check the chains. */
@Injectable()
class UpcasterCheck implements OnApplicationBootstrap {
  constructor(private readonly upcasters: UpcasterRegistry) {}

  onApplicationBootstrap(): void {
    this.upcasters.verify();
  }
}

@Module({})
export class EventStoreModule {
  static forRoot(options: EventStoreModuleOptions = {}): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      imports: [CqrsModule.forRoot()],
      providers: [
        UpcasterRegistry,
        EventStore,
        SnapshotStore,
        CommandCommitter,
        AggregateRepositoryFactory,
        ProjectionRegistry,
        { provide: FeedNotifier, inject: [DataSource, EventStore], useFactory: (ds: DataSource, s: EventStore) => new FeedNotifier(ds, s) },
        {
          provide: ProjectionRunner,
          inject: [DataSource, EventStore, ProjectionRegistry, APP_CONFIG, DatabaseRuntime],
          useFactory: (ds: DataSource, store: EventStore, registry: ProjectionRegistry, config: AppConfig, runtime: DatabaseRuntime) =>
            new ProjectionRunner(ds, store, registry, {
              batchSize: config.projections.batchSize,
              pollMs: config.projections.pollMs,
              listenUrl: runtime.target.embedded ? undefined : runtime.target.url,
              // PGlite serves one connection, and its socket does not speak COPY FROM STDIN: a rebuild
              // cannot read or write on a second connection while it folds, and writes rows by INSERT.
              readAhead: !runtime.target.embedded,
              copy: !runtime.target.embedded,
            }),
        },
        {
          provide: RUN_PROJECTIONS,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => options.runProjections ?? config.projections.inline,
        },
        UpcasterCheck, // before ProjectionLifecycle starts reading the feed
        ProjectionLifecycle,
      ],
      exports: [RUN_PROJECTIONS, CqrsModule, UpcasterRegistry, EventStore, SnapshotStore, CommandCommitter, AggregateRepositoryFactory, ProjectionRegistry, ProjectionRunner],
    };
  }
}
