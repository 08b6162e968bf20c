import { Module, OnModuleInit } from '@nestjs/common';
import { ProjectionRegistry } from '@chancery/event-store';
import { CableReader } from './cable-reader.js';
import { CableWorld } from './cable-world.js';
import { CablesQuery } from './cables.query.js';
import { ActOnCableHandler, DraftCableHandler, ReleaseCableHandler } from './commands/cable.handlers.js';
import { CablesProjection } from './projections/cables.projection.js';

@Module({
  providers: [CablesProjection, CablesQuery, CableWorld, CableReader, DraftCableHandler, ActOnCableHandler, ReleaseCableHandler],
  exports: [CablesQuery, CableWorld, CableReader],
})
export class CablesModule implements OnModuleInit {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly projection: CablesProjection,
  ) {}

  onModuleInit(): void {
    this.registry.registerInline(this.projection);
  }
}
