/** GET /support-hours: public, generated from the policy in force (the portal's /support-hours page). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readSupportHours } from '../../app/read-support-hours.ts';
import type { HttpDeps } from '../build-app.ts';

const target = z.object({ ms: z.number(), text: z.string() }).optional();
/** The support hours' answer; the quick reference embeds the same (routes/drills.ts). */
export const supportHoursOut = z.object({
  policy_version: z.number().nullable(),
  calendars: z.array(
    z.object({ id: z.string(), time_zone: z.string(), always_open: z.boolean(), hours: z.record(z.string(), z.array(z.string())), upcoming_holidays: z.array(z.string()) }),
  ),
  tiers: z.array(
    z.object({
      sla_policy: z.string(),
      tiers: z.array(z.string()).nullable(),
      applies_to: z.string(),
      calendar: z.string(),
      time_zone: z.string(),
      targets: z.array(z.object({ priority: z.string(), first_response: target, next_response: target, periodic_update: target, resolution: target })),
    }),
  ),
});

export const supportHoursRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  app.get('/support-hours', { config: { access: 'public' }, schema: { tags: ['intake'], response: { 200: supportHoursOut } } }, async () => readSupportHours(deps));
};
