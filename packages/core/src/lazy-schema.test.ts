import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { lazySchema, lazySchemaCounts } from './lazy-schema.ts';

/** A lazy schema and a way to see whether it has been built. */
function tracked<T extends object>(build: () => T) {
  let builds = 0;
  const schema = lazySchema(() => {
    builds++;
    return build();
  });
  return { schema, builds: () => builds };
}

const shape = () => ({ id: z.string().min(3), amountPence: z.int().nonnegative(), note: z.string().optional() });

describe('a lazy schema', () => {
  it('is not built until something reads it, then built once', () => {
    const before = lazySchemaCounts().built;
    const { schema, builds } = tracked(() => z.object(shape()));
    expect(builds()).toBe(0);
    expect(lazySchemaCounts().built).toBe(before);
    expect(schema.parse({ id: 'abc', amountPence: 5 })).toEqual({ id: 'abc', amountPence: 5 });
    expect(schema.safeParse({ id: 'abcd', amountPence: 1 }).success).toBe(true);
    expect(builds()).toBe(1);
    expect(lazySchemaCounts().built).toBe(before + 1);
  });

  it('parses, rejects and reports exactly as the schema it stands for', () => {
    const eager = z.object(shape()).strict();
    const lazy = lazySchema(() => z.object(shape()).strict());
    for (const value of [{ id: 'abc', amountPence: 5 }, { id: 'ab', amountPence: -1 }, { id: 'abc', amountPence: 1.5, extra: true }, 'nonsense', null]) {
      const a = eager.safeParse(value);
      const b = lazy.safeParse(value);
      expect(b.success).toBe(a.success);
      expect(b.data).toEqual(a.data);
      expect(b.error?.issues).toEqual(a.error?.issues);
    }
    expect(() => lazy.parse({ id: 'x', amountPence: 0 })).toThrow(z.ZodError);
  });

  it('answers that it is a zod schema without being built (as route registration asks), and builds when those methods are called', async () => {
    const { schema, builds } = tracked(() => z.object({ id: z.string() }));
    for (const method of ['parse', 'safeParse', 'parseAsync', 'safeParseAsync'] as const) expect(typeof schema[method]).toBe('function');
    expect(builds()).toBe(0);
    expect((await schema.safeParseAsync({ id: 'x' })).success).toBe(true);
    expect(builds()).toBe(1);
  });

  it('stays unbuilt as a member of another schema until that one parses, and works in shapes, spreads and derived schemas', () => {
    const inner = tracked(() => z.object({ pence: z.int() }));
    const fields = tracked(() => ({ name: z.string(), money: inner.schema }));
    const outer = lazySchema(() => z.object({ ...fields.schema, when: z.string() }));
    expect([inner.builds(), fields.builds()]).toEqual([0, 0]);
    expect(outer.parse({ name: 'n', money: { pence: 1 }, when: 'now' })).toEqual({ name: 'n', money: { pence: 1 }, when: 'now' });
    expect(outer.safeParse({ name: 'n', money: { pence: 1.5 }, when: 'now' }).error?.issues[0]?.path).toEqual(['money', 'pence']);
    expect([inner.builds(), fields.builds()]).toEqual([1, 1]);

    const extended = inner.schema.extend({ note: z.string() });
    expect(extended.parse({ pence: 2, note: 'x' })).toEqual({ pence: 2, note: 'x' });
    expect(Object.keys(inner.schema.shape)).toEqual(['pence']);
    expect(inner.schema).toBeInstanceOf(z.ZodObject);
    // Writes reach the schema itself, as reads do.
    Object.defineProperty(inner.schema, 'marker', { value: 1, configurable: true, enumerable: false });
    expect(Reflect.get(inner.schema, 'marker')).toBe(1);
    expect(Reflect.deleteProperty(inner.schema, 'marker')).toBe(true);
    expect('marker' in inner.schema).toBe(false);
    expect(inner.schema.optional().parse(undefined)).toBeUndefined();
  });

  it('keeps its metadata: the JSON Schema made from lazy schemas is the one made from eager ones', () => {
    const make = (wrap: <T extends object>(build: () => T) => T) => {
      const Amount = wrap(() => z.int().meta({ description: 'Pence.' }));
      const Line = wrap(() => z.object({ amount: Amount, label: z.string() }).meta({ id: 'LazyTestLine' }));
      return wrap(() => z.object({ lines: z.array(Line), total: Amount.optional() }));
    };
    const eager = make((build) => build());
    const eagerDoc = z.toJSONSchema(eager);
    // The same ids cannot be registered twice: the eager schemas' registrations are removed before the lazy ones are built.
    z.globalRegistry.clear();
    expect(z.toJSONSchema(make(lazySchema))).toEqual(eagerDoc);
  });
});
