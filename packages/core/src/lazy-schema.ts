/**
 * Schemas built on first use, not at import.
 *
 * zod builds a schema as an object of its own, about 30 µs each at a cold
 * start, and the domain declares over a hundred of them at module level: a
 * function that imports the domain would build them all before its first
 * request, though a request uses only a few (docs/benchmarks.md, "Cold
 * start"). A module-level schema declared as `lazySchema(() => z.object(…))`
 * is built the first time anything reads it, once; until then it is a
 * stand-in of the same type, so declaring it, naming it in another schema's
 * shape and registering a route with it cost nothing.
 *
 * The stand-in forwards every read to the schema it builds (getters run on
 * the schema; a method called through it has the stand-in as `this`, whose
 * reads reach the schema again), so parsing, `instanceof`, `.shape`,
 * `.extend()` and the OpenAPI document work on it as on the schema: the
 * document made from lazy schemas is the one made from eager ones (tested).
 * Before it is built it answers one question without building: whether it
 * is a zod schema (the four parse methods, which `@hono/zod-openapi` tests
 * for at route registration), each as a method that builds the schema when
 * called. The routes' own inline schemas are declared the same way.
 */

import * as z from 'zod';

const PARSE_METHODS = new Set<PropertyKey>(['parse', 'safeParse', 'parseAsync', 'safeParseAsync']);

interface LazySchemaCounts {
  declared: number;
  built: number;
  /** Where each schema built so far was first read (a stack line), when `BT_TRACE_LAZY_SCHEMAS` is set. */
  firstReads?: string[];
}

/**
 * How many lazy schemas the process has declared and built so far, kept on
 * the global object under a registered symbol so that a test or benchmark
 * importing a bundle (which has its own copy of this module) can read them.
 */
const COUNTS = Symbol.for('benefits-tracker.lazy-schemas');
const host = globalThis as typeof globalThis & { [COUNTS]?: LazySchemaCounts };
host[COUNTS] ??= { declared: 0, built: 0 };
const counts: LazySchemaCounts = host[COUNTS];
const trace = typeof process !== 'undefined' && Boolean(process.env.BT_TRACE_LAZY_SCHEMAS);
/** `BT_EAGER_SCHEMAS=1` builds every schema at its declaration, as zod alone would (the test that the two agree; a way out should laziness ever be suspected). */
const eager = typeof process !== 'undefined' && process.env.BT_EAGER_SCHEMAS === '1';

/** The counts above, read through the global object (the same for every copy of this module in the process). */
export function lazySchemaCounts(): Readonly<LazySchemaCounts> {
  return counts;
}

function isZodSchema(value: object): value is z.core.$ZodType {
  return '_zod' in value;
}

/**
 * `build()`'s schema, built on first use (see above). Marked free of side
 * effects for the bundler, so a declaration no code of a bundle reads is
 * left out of that bundle altogether (only the counts above would miss it).
 */
/* @__NO_SIDE_EFFECTS__ */
export function lazySchema<T extends object>(build: () => T): T {
  counts.declared++;
  if (eager) {
    counts.built++;
    return build();
  }
  let schema: T | undefined;
  const real = (): T => {
    if (schema === undefined) {
      if (trace) {
        counts.firstReads ??= [];
        counts.firstReads.push(new Error().stack?.split('\n')[3]?.trim() ?? '?');
      }
      schema = build();
      counts.built++;
      // zod keeps metadata (ids, descriptions) by the schema object; the stand-in, which other schemas hold, carries the same.
      const meta = isZodSchema(schema) ? z.globalRegistry.get(schema) : undefined;
      if (meta) z.globalRegistry.add(standIn as T & z.core.$ZodType, meta);
    }
    return schema;
  };
  const standIn: T = new Proxy({} as T, {
    get(_, key) {
      if (schema === undefined && PARSE_METHODS.has(key))
        return (...args: unknown[]) => (Reflect.get(real(), key) as (...a: unknown[]) => unknown).apply(real(), args);
      const target = real();
      return Reflect.get(target, key, target);
    },
    has: (_, key) => key in real(),
    set: (_, key, value) => Reflect.set(real(), key, value),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(real(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor(_, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // The stand-in's own target holds none of them: a proxy may not report a property its target lacks as non-configurable.
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
  return standIn;
}
