import { Injectable } from '@nestjs/common';

/**
 * Turns a stored event's old shape into the next one, on read: `(type, fromSchemaVersion)` to
 * `(toType ?? type, fromSchemaVersion + 1)`. Stored events are never rewritten; a chain of upcasters
 * brings any stored version up to the one its type declares current. A rename is declared
 * (`toType`), so that a chain can be checked at start-up, before any event is read.
 */
export interface EventUpcaster {
  type: string;
  fromSchemaVersion: number;
  toType?: string;
  upcast(data: unknown): { data: unknown };
}

/** An upcaster threw: the event it was given, and why. */
export class UpcastError extends Error {
  constructor(
    readonly event: { eventId?: string; streamId?: string; type: string; schemaVersion: number },
    cause: unknown,
  ) {
    super(
      `Upcasting ${event.type} v${event.schemaVersion}${event.eventId ? ` (event ${event.eventId} of ${event.streamId})` : ''} failed: ` +
        (cause instanceof Error ? cause.message : String(cause)),
      { cause },
    );
    this.name = 'UpcastError';
  }
}

@Injectable()
export class UpcasterRegistry {
  private readonly byKey = new Map<string, EventUpcaster>();
  /** The schema version each event type is written at today (declared by its aggregate). */
  private readonly current = new Map<string, number>();

  /**
   * Declares the schema version each event type is written at now. An upcaster from that version
   * or later is refused: it would reshape events already in the newest shape.
   */
  declare(versions: Readonly<Record<string, number>>): void {
    for (const [type, version] of Object.entries(versions)) {
      if (!Number.isInteger(version) || version < 1) throw new Error(`${type}: schema version must be a positive integer, got ${version}`);
      const known = this.current.get(type);
      if (known === version) continue; // a second repository for the same aggregate
      if (known !== undefined) throw new Error(`${type} is declared at schema version ${known} and ${version}`);
      this.current.set(type, version);
      for (const upcaster of this.byKey.values()) this.refuseBeyondCurrent(upcaster);
    }
  }

  /** The schema version `type` is written at now; undefined when no aggregate declared it. */
  currentVersion(type: string): number | undefined {
    return this.current.get(type);
  }

  register(...upcasters: EventUpcaster[]): void {
    for (const upcaster of upcasters) {
      const key = keyOf(upcaster.type, upcaster.fromSchemaVersion);
      if (this.byKey.has(key)) throw new Error(`Two upcasters for ${key}`);
      this.refuseBeyondCurrent(upcaster);
      this.byKey.set(key, upcaster);
    }
  }

  /**
   * The stored types whose events may be read as one of `types`: those types, and every type an
   * upcaster renames into one of them, step by step (a reader that decodes only some types must
   * decode what will become them).
   */
  typesBecoming(types: readonly string[]): string[] {
    const becoming = new Set(types);
    for (let grew = true; grew; ) {
      grew = false;
      for (const upcaster of this.byKey.values()) {
        if (becoming.has(upcaster.toType ?? upcaster.type) && !becoming.has(upcaster.type)) {
          becoming.add(upcaster.type);
          grew = true;
        }
      }
    }
    return [...becoming];
  }

  /**
   * Checks that every chain ends where its type is declared current: each registered upcaster
   * leads, step by step, to a declared type at exactly its declared version, and every declared
   * version above 1 has an upcaster from the version below it. Run once every module has
   * registered (EventStoreModule does so at bootstrap); throws naming each broken chain.
   */
  verify(): void {
    const problems: string[] = [];
    for (const upcaster of this.byKey.values()) {
      let type = upcaster.type;
      let version = upcaster.fromSchemaVersion;
      for (let step: EventUpcaster | undefined = upcaster; step; step = this.byKey.get(keyOf(type, version))) {
        type = step.toType ?? step.type;
        version += 1;
      }
      const declared = this.current.get(type);
      if (declared !== version) {
        problems.push(
          `${keyOf(upcaster.type, upcaster.fromSchemaVersion)} ends at ${keyOf(type, version)}, but ${type} is ` +
            (declared === undefined ? 'declared by no aggregate' : `written at v${declared}`),
        );
      }
    }
    for (const [type, version] of this.current) {
      // Renamed types start their life above 1: some upcaster arrives at them.
      const arrived = [...this.byKey.values()].some((u) => (u.toType ?? u.type) === type && u.fromSchemaVersion + 1 === version);
      if (version > 1 && !arrived) problems.push(`${type} is written at v${version}, but no upcaster brings v${version - 1} to it`);
    }
    if (problems.length > 0) throw new Error(`Upcaster chains do not end at the declared schema versions:\n  ${problems.join('\n  ')}`);
  }

  /**
   * Applies every upcaster that matches, in turn, until the event is in its newest shape. An
   * upcaster that throws becomes an UpcastError naming the event.
   */
  upcast<E extends { type: string; schemaVersion: number; data: unknown; eventId?: string; streamId?: string }>(event: E): E {
    let current = event;
    for (let upcaster = this.find(current); upcaster; upcaster = this.find(current)) {
      let next: { data: unknown };
      try {
        next = upcaster.upcast(current.data);
      } catch (error) {
        throw new UpcastError(current, error);
      }
      current = { ...current, type: upcaster.toType ?? current.type, schemaVersion: current.schemaVersion + 1, data: next.data };
    }
    return current;
  }

  private find(event: { type: string; schemaVersion: number }): EventUpcaster | undefined {
    return this.byKey.get(keyOf(event.type, event.schemaVersion));
  }

  private refuseBeyondCurrent(upcaster: EventUpcaster): void {
    const declared = this.current.get(upcaster.type);
    if (declared !== undefined && upcaster.fromSchemaVersion >= declared) {
      throw new Error(
        `An upcaster from ${keyOf(upcaster.type, upcaster.fromSchemaVersion)} would reshape events ${upcaster.type} writes today (v${declared})`,
      );
    }
  }
}

function keyOf(type: string, version: number): string {
  return `${type}@${version}`;
}
