import { lazySchema } from '@bt/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { DigestContent, IsoDate } from '@bt/core';
import { StoredDigest } from '@bt/store';
import * as svc from '@bt/services';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { PAGE_CSP } from '../pages/paths.ts';
import { caller, PageQuery, pageOf } from '../http.ts';
import { json, problems, route, security } from '../openapi.ts';

const tags = ['Digests'];
// One definition: the digest as the store keeps it (content as sent, JSON).
const Digest = lazySchema(() => StoredDigest.meta({ id: 'Digest' }));
const DigestSummary = lazySchema(() => StoredDigest.omit({ content: true, html: true, text: true }).meta({ id: 'DigestSummary' }));
const Rendered = lazySchema(() => z.object({ subject: z.string(), html: z.string(), text: z.string(), content: DigestContent }).meta({ id: 'RenderedDigest' }));

export function digestRoutes(deps: svc.Deps, desk: svc.DigestDesk, app: OpenAPIHono<AppEnv>) {
  app.openapi(
    route({
      method: 'get',
      path: '/v1/digests',
      tags,
      security,
      summary: 'Digests sent to CMT, newest first',
      request: { query: lazySchema(() => z.object(PageQuery)) },
      responses: {
        200: { description: 'A page of digests', ...json(lazySchema(() => pageOf(DigestSummary.extend({ headline: z.unknown() }), 'DigestPage'))) },
        ...problems(400, 401, 403),
      },
    }),
    async (c) => c.json(await svc.listDigests(deps, caller(c), c.req.valid('query')), 200),
  );
  app.openapi(
    route({
      method: 'get',
      path: '/v1/digests/preview',
      tags,
      security,
      summary: 'Render the next digest without sending it (format=html shows the email itself)',
      request: { query: lazySchema(() => z.object({ asAt: IsoDate.optional(), format: z.enum(['json', 'html']).default('json') })) },
      responses: {
        200: {
          description: 'The rendered digest',
          content: { 'application/json': { schema: Rendered }, 'text/html': { schema: lazySchema(() => z.string()) } },
        },
        ...problems(400, 401, 403),
      },
    }),
    async (c) => {
      const { asAt, format } = c.req.valid('query');
      const rendered = await desk.preview(caller(c), asAt);
      // The email's HTML is escaped when rendered; the pages' policy (no script, nothing from elsewhere) is defence in depth.
      if (format === 'html') {
        c.header('Content-Security-Policy', PAGE_CSP);
        return c.html(rendered.html, 200);
      }
      return c.json(rendered, 200);
    },
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/digests',
      tags,
      security,
      summary: 'Send a digest now (admin)',
      request: { query: lazySchema(() => z.object({ asAt: IsoDate.optional() })) },
      responses: { 201: { description: 'Sent', ...json(Digest) }, ...problems(400, 401, 403) },
    }),
    async (c) => {
      const digest = await desk.sendNow(caller(c), c.req.valid('query').asAt);
      return c.json(digest, 201);
    },
  );
  app.openapi(
    route({
      method: 'get',
      path: '/v1/digests/{id}',
      tags,
      security,
      summary: 'A digest with the figures it reported and its HTML and text',
      request: { params: lazySchema(() => z.object({ id: z.string().regex(/^dig_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a digest id (dig_…)') })) },
      responses: { 200: { description: 'The digest', ...json(Digest) }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await svc.getDigest(deps, caller(c), c.req.valid('param').id), 200),
  );
}
