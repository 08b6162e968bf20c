import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from '@chancery/common';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from '@chancery/audit';
import { type AppConfig, APP_CONFIG, ConfigModule } from '@chancery/config';
import { DatabaseModule } from '@chancery/database';
import { EventStoreModule } from '@chancery/event-store';
import { RedriveProjection } from './operations/redrive-projection.js';

export interface PlatformOptions {
  /** Defaults to the process environment, validated. */
  config?: AppConfig;
  /** Run the async projection runner in this process (default: PROJECTIONS_INLINE). */
  runProjections?: boolean;
  /** Seed the first admin and the posts at start-up (the API does; workers and commands do not). */
  seedData?: boolean;
}

/**
 * What every Chancery process stands on: validated configuration, JSON logs with the request id,
 * the database (migrated at start), the event store with its projections, and the audit log.
 */
/** The clock every module reads the time from; tests replace it to move time. */
@Global()
@Module({ providers: [{ provide: Clock, useClass: SystemClock }], exports: [Clock] })
class ClockModule {}

@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions = {}): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(options.config, { seedData: options.seedData ?? false }),
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            pinoHttp: {
              level: config.logLevel,
              genReqId: (request) => String(request.id),
              customProps: (request) => ({ requestId: request.id }),
              quietReqLogger: true,
              redact: ['req.headers.authorization', 'req.headers.cookie'],
              autoLogging: { ignore: (request) => request.url === '/health' },
            },
          }),
        }),
        DatabaseModule.forRoot(),
        EventStoreModule.forRoot({ runProjections: options.runProjections }),
        AuditModule,
        ClockModule,
      ],
      providers: [RedriveProjection],
      exports: [AuditModule, RedriveProjection],
    };
  }
}
