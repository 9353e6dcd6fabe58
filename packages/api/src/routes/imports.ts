import { lazySchema } from '@bt/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ValidationError } from '@bt/core';
import * as svc from '@bt/services';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { caller } from '../http.ts';
import { json, problems, route, security } from '../openapi.ts';

export function importRoutes(deps: svc.Deps, app: OpenAPIHono<AppEnv>) {
  app.openapi(
    route({
      method: 'post',
      path: '/v1/imports/savings',
      tags: ['Imports'],
      security,
      summary: 'Import a savings tracker (an Excel workbook or CSV, one row per saving; finance or admin); dryRun=true checks without writing',
      description: `Columns: ${Object.values(svc.IMPORT_COLUMNS).join(', ')}, and one per FY for the baseline in pounds ("2025/26" or "Baseline 2025/26"), optionally "Forecast 2025/26", "Realised 2025/26" (recorded as an actual of each saving the import creates) and "MTFS target 2025/26" (the row's workstream's). The header row may sit below title rows; blank, separator-only and total rows are skipped; amounts as councils write them ("£1,234.56", "£1.2m", "350k", "(1,234)"). \`mapping\` (JSON) maps template columns to your headers; \`sheet\` names a workbook's sheet (default the first). All rows or none; the same file again changes nothing.`,
      request: {
        query: lazySchema(() =>
          z.object({
            dryRun: z.enum(['true', 'false']).default('false'),
            mapping: z.string().max(4000).optional().meta({ description: 'JSON object: template column → your column header' }),
            sheet: z.string().min(1).max(31).optional().meta({ description: "A workbook's sheet (default: its first)." }),
          }),
        ),
        body: {
          required: true,
          content: {
            'text/csv': { schema: lazySchema(() => z.string()) },
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: lazySchema(() => z.string().meta({ format: 'binary' })) },
          },
        },
      },
      responses: {
        200: {
          description: 'What was (or, in a dry run, would be) imported, and every problem by row and column',
          ...json(lazySchema(() => svc.ImportResult)),
        },
        ...problems(400, 401, 403, 413, 415, 422),
      },
    }),
    async (c) => {
      const { dryRun, mapping, sheet } = c.req.valid('query');
      let map: Record<string, string> | undefined;
      if (mapping) {
        const parsed = z.record(z.string(), z.string()).safeParse(safeJson(mapping));
        if (!parsed.success)
          throw new ValidationError('mapping must be a JSON object of template column → your column header.', [
            { path: 'mapping', message: 'not a JSON object of strings' },
          ]);
        map = parsed.data;
      }
      const file = new Uint8Array(await c.req.arrayBuffer());
      return c.json(await svc.importSavings(deps, caller(c), file, { dryRun: dryRun === 'true', sheet, ...(map ? { mapping: map } : {}) }), 200);
    },
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
