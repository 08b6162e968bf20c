import { Module, OnModuleInit } from '@nestjs/common';
import { ProjectionRegistry, UpcasterRegistry } from '@chancery/event-store';
import { CableReader } from './cable-reader.js';
import { CableWorld } from './cable-world.js';
import { CablesQuery } from './cables.query.js';
import { CABLE_HANDLERS } from './commands/index.js';
import { CablesProjection } from './projections/cables.projection.js';

@Module({
  providers: [CablesProjection, CablesQuery, CableWorld, CableReader, ...CABLE_HANDLERS],
  exports: [CablesQuery, CableWorld, CableReader],
})
export class CablesModule implements OnModuleInit {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly projection: CablesProjection,
    private readonly upcasters: UpcasterRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.registerInline(this.projection);
    // CableEdited v1 named no editor: it was always the drafter (the event's metadata has their id).
    this.upcasters.register({ type: 'CableEdited', fromSchemaVersion: 1, upcast: (data) => ({ data: { ...(data as object), by: null, office: null, as: 'drafter', fields: [] } }) });
  }
}
