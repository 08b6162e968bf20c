import { Module, OnModuleInit } from '@nestjs/common';
import { ProjectionRegistry, UpcasterRegistry } from '@chancery/event-store';
import { CableReader } from './cable-reader.js';
import { CableSearchRepair } from './cable-search-repair.js';
import { CABLE_UPCASTERS } from './cable-upcasters.js';
import { CableWorld } from './cable-world.js';
import { CablesQuery } from './cables.query.js';
import { CABLE_HANDLERS } from './commands/index.js';
import { CablesProjection } from './projections/cables.projection.js';
import { ReturnedCableClearancesRepair } from './returned-cable-clearances-repair.js';

@Module({
  providers: [CablesProjection, CablesQuery, CableWorld, CableReader, ReturnedCableClearancesRepair, CableSearchRepair, ...CABLE_HANDLERS],
  exports: [CablesQuery, CableWorld, CableReader, ReturnedCableClearancesRepair, CableSearchRepair],
})
export class CablesModule implements OnModuleInit {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly projection: CablesProjection,
    private readonly upcasters: UpcasterRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.registerInline(this.projection);
    this.upcasters.register(...CABLE_UPCASTERS);
  }
}
