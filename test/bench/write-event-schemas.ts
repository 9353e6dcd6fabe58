import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventSchemas, fileName } from '../support/event-schemas.ts';

/** `pnpm events:schemas`: regenerate events/published/*.schema.json from the zod schemas. */
for (const [name, schema] of Object.entries(eventSchemas())) {
  writeFileSync(join('events', 'published', `${fileName(name)}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
}
