import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HttpConventionsModule } from '@chancery/http';
import { DOMAIN_MODULES, PlatformModule, type PlatformOptions } from '@chancery/platform';
import { HealthController } from './health/health.controller.js';

@Module({})
export class AppModule {
  static forRoot(options: PlatformOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(options), HttpConventionsModule, TerminusModule, ...DOMAIN_MODULES],
      controllers: [HealthController],
    };
  }
}
