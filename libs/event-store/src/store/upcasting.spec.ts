import { UpcastError, UpcasterRegistry } from './upcasting.js';

describe('UpcasterRegistry', () => {
  const stored = { type: 'CableDrafted', schemaVersion: 1, data: { subj: 'AI distillation' } };
  const renameSubject = { type: 'CableDrafted', fromSchemaVersion: 1, upcast: (d: unknown) => ({ data: { subject: (d as { subj: string }).subj } }) };
  const addCaptions = { type: 'CableDrafted', fromSchemaVersion: 2, upcast: (d: unknown) => ({ data: { ...(d as object), captions: [] } }) };

  it('leaves an event in its newest shape alone', () => {
    expect(new UpcasterRegistry().upcast(stored)).toEqual(stored);
  });

  it('chains upcasters from the stored version to the newest, renaming on the way', () => {
    const registry = new UpcasterRegistry();
    registry.register(renameSubject, { ...addCaptions, toType: 'CableDraftedWithCaptions' });
    expect(registry.upcast(stored)).toEqual({ type: 'CableDraftedWithCaptions', schemaVersion: 3, data: { subject: 'AI distillation', captions: [] } });
  });

  it('refuses two upcasters for the same type and version', () => {
    const registry = new UpcasterRegistry();
    const upcaster = { type: 'X', fromSchemaVersion: 1, upcast: (d: unknown) => ({ data: d }) };
    registry.register(upcaster);
    expect(() => registry.register(upcaster)).toThrow(/Two upcasters/);
  });

  describe('with the schema versions the aggregates declare', () => {
    it('upcasts an event written at an old version, and not one written at the current version', () => {
      const registry = new UpcasterRegistry();
      registry.declare({ CableDrafted: 3 });
      registry.register(renameSubject, addCaptions);
      registry.verify();
      expect(registry.upcast(stored)).toEqual({ type: 'CableDrafted', schemaVersion: 3, data: { subject: 'AI distillation', captions: [] } });
      const current = { type: 'CableDrafted', schemaVersion: 3, data: { subject: 'Already new', captions: ['SBU'] } };
      expect(registry.upcast(current)).toBe(current);
    });

    it('refuses, when registered, an upcaster from the current version or later', () => {
      const registry = new UpcasterRegistry();
      registry.declare({ CableDrafted: 2 });
      expect(() => registry.register(addCaptions)).toThrow(/would reshape events CableDrafted writes today \(v2\)/);
      const early = new UpcasterRegistry();
      early.register(addCaptions);
      expect(() => early.declare({ CableDrafted: 2 })).toThrow(/would reshape/);
    });

    it('refuses at start-up a chain that stops short of the current version', () => {
      const registry = new UpcasterRegistry();
      registry.declare({ CableDrafted: 3 });
      registry.register(renameSubject);
      expect(() => registry.verify()).toThrow(/CableDrafted@1 ends at CableDrafted@2, but CableDrafted is written at v3/);
    });

    it('refuses at start-up a current version above 1 that no upcaster reaches', () => {
      const registry = new UpcasterRegistry();
      registry.declare({ CableDrafted: 2, CableEdited: 1 });
      expect(() => registry.verify()).toThrow(/CableDrafted is written at v2, but no upcaster brings v1 to it/);
    });

    it('refuses at start-up a chain that ends at a type no aggregate writes', () => {
      const registry = new UpcasterRegistry();
      registry.declare({ CableDrafted: 2 });
      registry.register({ ...renameSubject, toType: 'DraftStarted' });
      expect(() => registry.verify()).toThrow(/ends at DraftStarted@2, but DraftStarted is declared by no aggregate/);
    });

    it('accepts a chain through a rename that ends at the new type\'s current version', () => {
      const registry = new UpcasterRegistry();
      registry.declare({ DraftStarted: 2 });
      registry.register({ ...renameSubject, toType: 'DraftStarted' });
      expect(() => registry.verify()).not.toThrow();
      expect(registry.upcast(stored)).toMatchObject({ type: 'DraftStarted', schemaVersion: 2 });
    });

    it('refuses two different current versions for one type', () => {
      const registry = new UpcasterRegistry();
      registry.declare({ CableDrafted: 1 });
      registry.declare({ CableDrafted: 1 });
      expect(() => registry.declare({ CableDrafted: 2 })).toThrow(/declared at schema version 1 and 2/);
    });
  });

  it('names the event when an upcaster throws', () => {
    const registry = new UpcasterRegistry();
    registry.register({ type: 'CableDrafted', fromSchemaVersion: 1, upcast: () => { throw new Error('no subj'); } });
    const event = { ...stored, eventId: 'e-1', streamId: 'cable-1' };
    expect(() => registry.upcast(event)).toThrow(UpcastError);
    expect(() => registry.upcast(event)).toThrow('Upcasting CableDrafted v1 (event e-1 of cable-1) failed: no subj');
  });
});
