import * as z from 'zod';
import { decodeTime, monotonicFactory } from 'ulid';

/** Prefixed, sortable ids: `prj_01J…` — the prefix says what it is, the ULID sorts by creation time. */
export const ID_PREFIXES = {
  workstream: 'ws',
  project: 'prj',
  benefit: 'ben',
  actual: 'act',
  investment: 'inv',
  spend: 'spd',
  risk: 'rsk',
  milestone: 'mst',
  alert: 'alr',
  digest: 'dig',
  audit: 'aud',
  import: 'imp',
  change: 'chg',
} as const;
export type IdKind = keyof typeof ID_PREFIXES;

const nextUlid = monotonicFactory();

/**
 * A new id made at `now` (ms), from the caller's clock: ids sort by the same
 * time as the records' timestamps, and the change feed's settling window is
 * measured on that clock. The ULID factory is monotonic, so an id made with
 * one clock would push later ids from another clock past it.
 */
export function newId(kind: IdKind, now: number): string {
  return `${ID_PREFIXES[kind]}_${nextUlid(now)}`;
}

/** When an id was made (ms): its ULID's time, on the clock of whoever made it. */
export function idTimeMs(id: string): number {
  return decodeTime(id.slice(id.indexOf('_') + 1));
}

const ULID = '[0-9A-HJKMNP-TV-Z]{26}';

/** The zod schema of one kind of id, for path parameters and references. */
export function idSchema(kind: IdKind) {
  return z
    .string()
    .regex(new RegExp(`^${ID_PREFIXES[kind]}_${ULID}$`), `must be ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} id (${ID_PREFIXES[kind]}_…)`)
    .meta({ example: `${ID_PREFIXES[kind]}_01JD6ZQ4T5N3W8R2X7C9V1B0KM` });
}

export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_${ULID}$`).test(value);
}
