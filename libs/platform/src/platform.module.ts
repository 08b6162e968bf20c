import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, DepartmentCalendar, RequestsInFlight, SystemClock } from '@chancery/common';
import { AuditModule } from '@chancery/audit';
import { APP_CONFIG, type AppConfig, ConfigModule } from '@chancery/config';
import { DatabaseModule } from '@chancery/database';
import { EventStoreModule } from '@chancery/event-store';
import { InFlightRequests } from './in-flight-requests.js';
import { Readiness } from './readiness.js';
import { JsonLoggerModule } from './json-logger.js';
import { RedriveProjection } from './operations/redrive-projection.js';

export interface PlatformOptions {
  /** Defaults to the process environment, validated. */
  config?: AppConfig;
  /** Run the async projection runner in this process (default: PROJECTIONS_INLINE). */
  runProjections?: boolean;
  /** Seed the first admin and the posts at start-up (the API does; workers and commands do not). */
  seedData?: boolean;
  /** Issue and verify access tokens (the API); other processes hold no JWT_SECRET. */
  authenticates?: boolean;
  /** Bring the schema up to this release at start (default), or only check that it is (operations commands, which read the database as it is). */
  migrates?: boolean;
}

/**
 * What every Chancery process stands on: validated configuration, JSON logs with the request id,
 * the database (migrated at start), the event store with its projections, and the audit log.
 */
/** The clock every module reads the time from (tests replace it to move time), readiness, draining. */
@Global()
@Module({
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: DepartmentCalendar, useFactory: (clock: Clock, config: AppConfig) => new DepartmentCalendar(clock, config.departmentTimeZone), inject: [Clock, APP_CONFIG] },
    Readiness,
    InFlightRequests,
    { provide: RequestsInFlight, useExisting: InFlightRequests },
  ],
  exports: [Clock, DepartmentCalendar, Readiness, InFlightRequests, RequestsInFlight],
})
class ClockModule {}

@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions = {}): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(options.config, { seedData: options.seedData ?? false, authenticates: options.authenticates ?? false }),
        JsonLoggerModule,
        // The API seeds the database and loads the demo: it alone redoes a first filling left unfinished.
        DatabaseModule.forRoot({ fills: options.seedData ?? false, migrations: options.migrates === false ? 'check' : 'apply' }),
        EventStoreModule.forRoot({ runProjections: options.runProjections }),
        AuditModule,
        ClockModule,
      ],
      providers: [RedriveProjection],
      exports: [AuditModule, RedriveProjection],
    };
  }
}
