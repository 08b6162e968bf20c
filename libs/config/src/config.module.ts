import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, loadConfig } from './environment.js';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Provides the validated AppConfig: the one given, or the process environment read at start-up. */
@Module({})
export class ConfigModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useFactory: () => config ?? loadConfig() }],
      exports: [APP_CONFIG],
    };
  }
}
