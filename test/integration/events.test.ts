import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLISHED_EVENTS } from '@bt/core';
import { describe, expect, it } from 'vitest';
import { eventSchemas, fileName } from '../support/event-schemas.ts';

const dir = join(import.meta.dirname, '..', '..', 'events', 'published');

describe('the published events', () => {
  it('have committed JSON Schemas that match the zod schemas (run `pnpm events:schemas` after a change)', () => {
    for (const [name, schema] of Object.entries(eventSchemas())) {
      expect(JSON.parse(readFileSync(join(dir, `${fileName(name)}.schema.json`), 'utf8')), name).toEqual(schema);
    }
  });

  it('have sample payloads (EventBridge envelopes) whose detail is valid', () => {
    const samples = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
    expect(samples.length).toBeGreaterThanOrEqual(3);
    for (const file of samples) {
      const event = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      expect(event.source).toBe('benefits-tracker');
      const schema = PUBLISHED_EVENTS[event['detail-type'] as keyof typeof PUBLISHED_EVENTS];
      expect(schema, file).toBeDefined();
      expect(schema.safeParse(event.detail).success, file).toBe(true);
    }
  });
});
