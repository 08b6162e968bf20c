import { UpcasterRegistry } from './upcasting.js';

describe('UpcasterRegistry', () => {
  const stored = { type: 'CableDrafted', schemaVersion: 1, data: { subj: 'AI distillation' } };

  it('leaves an event in its newest shape alone', () => {
    expect(new UpcasterRegistry().upcast(stored)).toEqual(stored);
  });

  it('chains upcasters from the stored version to the newest, renaming on the way', () => {
    const registry = new UpcasterRegistry();
    registry.register(
      { type: 'CableDrafted', fromSchemaVersion: 1, upcast: (d) => ({ data: { subject: (d as { subj: string }).subj } }) },
      { type: 'CableDrafted', fromSchemaVersion: 2, upcast: (d) => ({ data: { ...(d as object), captions: [] } }) },
    );
    expect(registry.upcast(stored)).toEqual({ type: 'CableDrafted', schemaVersion: 3, data: { subject: 'AI distillation', captions: [] } });
  });

  it('refuses two upcasters for the same type and version', () => {
    const registry = new UpcasterRegistry();
    const upcaster = { type: 'X', fromSchemaVersion: 1, upcast: (d: unknown) => ({ data: d }) };
    registry.register(upcaster);
    expect(() => registry.register(upcaster)).toThrow(/Two upcasters/);
  });
});
