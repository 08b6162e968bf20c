import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, loadConfig } from './environment.js';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** What this process is for: only the API seeds data (the first admin, the posts) at start-up. */
export interface ProcessOptions {
  seedData: boolean;
  /**
   * Issues and verifies access tokens (the API). A process that does not (a worker, an operations
   * command: an auditor's `audit:verify`) needs no JWT_SECRET, and is given none to hold.
   */
  authenticates?: boolean;
}
export const PROCESS_OPTIONS = Symbol('PROCESS_OPTIONS');

/** Provides the validated AppConfig: the one given, or the process environment read at start-up. */
@Module({})
export class ConfigModule {
  static forRoot(config?: AppConfig, process: ProcessOptions = { seedData: false }): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [
        { provide: APP_CONFIG, useFactory: () => config ?? loadConfig() },
        { provide: PROCESS_OPTIONS, useValue: process },
      ],
      exports: [APP_CONFIG, PROCESS_OPTIONS],
    };
  }
}
