import type * as z from 'zod';
import { config } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

/**
 * What a caller is told when a value breaks a check that gave no message of
 * its own: in plain English, as the rest of the product's messages are
 * ("limit must be at most 200", "name is required"), not zod's defaults
 * ("Too big: expected number to be <=200", "Invalid input"). A problem's
 * `detail` puts the field's name in front (problem.ts), and so does a
 * settings error. A schema's own message always wins (zod asks a schema
 * before this map); an issue this map has no words for gets zod's English.
 */
export const plainMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (issue.expected === 'number' && typeof issue.input === 'number' && !Number.isNaN(issue.input)) return 'must be a finite number';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_big':
      return bound(issue.origin, issue.maximum, issue.inclusive, issue.exact, 'at most', 'less than');
    case 'too_small':
      if (issue.minimum === 1 && (issue.inclusive ?? true) && !issue.exact) {
        if (issue.origin === 'string') return 'must not be empty';
        if (issue.origin === 'array' || issue.origin === 'set') return 'must have at least one item';
      }
      return bound(issue.origin, issue.minimum, issue.inclusive, issue.exact, 'at least', 'more than');
    case 'invalid_value':
      if (issue.input === undefined) return 'is required';
      return issue.values.length === 1 ? `must be ${shown(issue.values[0])}` : `must be one of: ${issue.values.map(shown).join(', ')}`;
    case 'invalid_format':
      return FORMAT_NAMES[issue.format];
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `has ${issue.keys.length === 1 ? 'a field' : 'fields'} it does not know: ${issue.keys.join(', ')}`;
    case 'invalid_key':
      return `is not a key it takes: ${issue.issues.map((i) => i.message).join('; ')}`;
    case 'invalid_union':
      return unionMessage(issue.errors);
    case 'custom':
      return 'is not valid';
    default:
      return undefined;
  }
};

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  record: 'an object',
  date: 'a date',
  null: 'null',
};

const FORMAT_NAMES: Record<string, string> = {
  email: 'must be an email address',
  url: 'must be a URL',
  uuid: 'must be a UUID',
  datetime: 'must be an ISO 8601 date and time with its offset, such as 2026-06-30T16:00:00Z',
  date: 'must be a date such as 2025-10-31',
  time: 'must be a time such as 16:00:00',
  regex: 'is not in the form expected',
};

const SIZE_UNITS: Record<string, string> = { string: 'characters', array: 'items', set: 'items', file: 'bytes' };

function bound(origin: string, limit: unknown, inclusive: boolean | undefined, exact: boolean | undefined, within: string, beyond: string): string {
  const unit = SIZE_UNITS[origin];
  const value = limit instanceof Date ? limit.toISOString() : String(limit);
  if (unit) return exact ? `must have exactly ${value} ${unit}` : `must have ${within} ${value} ${unit}`;
  return `must be ${inclusive === false ? beyond : within} ${value}`;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/**
 * No form of a union took the value. When every form failed on the whole
 * value with a "must be …", say them all ("must be a date such as
 * 2025-10-31, or an ISO 8601 date and time …"); otherwise zod's words.
 */
function unionMessage(errors: readonly (readonly z.core.$ZodIssue[])[]): string | undefined {
  const forms = errors.map((issues) => (issues.length === 1 && issues[0]!.path.length === 0 ? issues[0]!.message : undefined));
  if (forms.length === 0 || !forms.every((m) => m?.startsWith('must be '))) return undefined;
  const [first, ...rest] = [...new Set(forms as string[])];
  return [first, ...rest.map((m) => m.slice('must be '.length))].join(', or ');
}

/**
 * zod's messages in English with the plain words above, for the whole
 * process (zod's settings are global). Called when a process reads its
 * settings and when an app is made, before anything is parsed; English is
 * imported alone (`zod/v4/locales` would bundle every language zod has).
 */
export function usePlainMessages(): void {
  if (config().customError === plainMessage) return;
  config({ ...(config().localeError ? {} : en()), customError: plainMessage });
}
