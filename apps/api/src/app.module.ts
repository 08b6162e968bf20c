import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from '@chancery/audit';
import { type AppConfig, APP_CONFIG, ConfigModule } from '@chancery/config';
import { DatabaseModule } from '@chancery/database';
import { EventStoreModule } from '@chancery/event-store';
import { HttpConventionsModule } from '@chancery/http';
import { HealthController } from './health/health.controller.js';

export interface AppModuleOptions {
  /** Defaults to the process environment, validated. */
  config?: AppConfig;
  /** Run the async projection runner here (default: PROJECTIONS_INLINE). */
  runProjections?: boolean;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config),
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
        HttpConventionsModule,
        TerminusModule,
      ],
      controllers: [HealthController],
    };
  }
}
