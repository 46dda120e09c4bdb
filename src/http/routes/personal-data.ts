/**
 * A requester's personal data (issue 16; docs/security.md, "Personal data: export and
 * erasure"), admins only: the export as JSON, and the erasure (with `confirm: true`).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eraseRequester, exportRequester } from '../../app/personal-data.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';

const params = z.strictObject({ requesterId: z.string().min(1).max(64).describe("the requester's user id") });
const erasureOut = z.object({
  requester_id: z.string(),
  already_erased: z.boolean().describe('true: erased before; nothing changed this time'),
  tickets: z.array(z.string()).describe('the tickets a personal_data.erased event was recorded on'),
  event_fields: z.number(),
  comments: z.number(),
  attachments: z.number(),
  other_rows: z.number(),
});

export const personalDataRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const admin = { access: ['admin'] as const };
  const tags = ['personal data'];

  app.get(
    '/requesters/:requesterId/personal-data',
    {
      config: admin,
      schema: {
        tags,
        params,
        response: {
          200: z.record(z.string(), z.unknown()).describe('everything stored about the requester'),
        },
      },
    },
    async (req) => exportRequester(deps, { id: req.params.requesterId }),
  );

  app.post(
    '/requesters/:requesterId/erase',
    {
      config: admin,
      schema: {
        tags,
        params,
        body: z.strictObject({
          confirm: z.literal(true).describe('must be true: the erasure cannot be undone'),
        }),
        response: { 200: erasureOut },
      },
    },
    async (req) => eraseRequester(deps, { id: req.params.requesterId }, `user:${actorOf(req).userId}`),
  );
};
