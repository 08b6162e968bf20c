import { Injectable } from '@nestjs/common';
import type { Projection } from './projection.js';

/**
 * The projections this process knows. Async ones are fed by the ProjectionRunner from the global
 * feed; inline ones are applied in the same transaction as a command's events.
 */
@Injectable()
export class ProjectionRegistry {
  private readonly asyncProjections = new Map<string, Projection>();
  private readonly inlineProjections = new Map<string, Projection>();

  registerAsync(projection: Projection): void {
    this.add(this.asyncProjections, projection);
  }

  registerInline(projection: Projection): void {
    this.add(this.inlineProjections, projection);
  }

  get async(): Projection[] {
    return [...this.asyncProjections.values()];
  }

  get inline(): Projection[] {
    return [...this.inlineProjections.values()];
  }

  find(name: string): Projection | undefined {
    return this.asyncProjections.get(name) ?? this.inlineProjections.get(name);
  }

  get all(): Projection[] {
    return [...this.asyncProjections.values(), ...this.inlineProjections.values()];
  }

  private add(into: Map<string, Projection>, projection: Projection): void {
    if (this.find(projection.name)) throw new Error(`Projection ${projection.name} is registered twice`);
    into.set(projection.name, projection);
  }
}
