import { DynamicModule, Module } from '@nestjs/common';
import { DOMAIN_MODULES, PlatformModule, type PlatformOptions } from '@chancery/platform';

/** The API's module graph without HTTP: for the projection worker and the operations commands. */
@Module({})
export class WorkerModule {
  static forRoot(options: PlatformOptions = {}): DynamicModule {
    return { module: WorkerModule, imports: [PlatformModule.forRoot(options), ...DOMAIN_MODULES] };
  }
}
