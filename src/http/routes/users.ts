/** User accounts: admins manage them; staff read the directory. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createUser } from '../../app/create-user.ts';
import { sendPasswordLink, type LinkSent } from '../../app/password-links.ts';
import { updateUser } from '../../app/update-user.ts';
import { STAFF_ROLES } from '../../auth/roles.ts';
import { DomainError } from '../../domain/errors.ts';
import { findUserById, listUsers } from '../../store/users-repo.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { presentUser } from '../present.ts';
import { createUserIn, patchUserIn, userIdParams, userOut } from '../schemas.ts';
import { publicUrlOf } from '../public-url.ts';

const linkOut = z.object({
  purpose: z.enum(['invite', 'reset']),
  email: z.string(),
  expires_at: z.string(),
  sessions_ended: z.number(),
  tokens_revoked: z.number(),
});
const presentLink = (l: LinkSent) => ({
  purpose: l.purpose,
  email: l.email,
  expires_at: new Date(l.expiresAt).toISOString(),
  sessions_ended: l.accessEnded?.sessions ?? 0,
  tokens_revoked: l.accessEnded?.tokens ?? 0,
});

export const userRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const admins = { access: ['admin'] as const };
  const tags = ['users'];

  app.get('/users', { config: admins, schema: { tags, response: { 200: z.object({ items: z.array(userOut) }) } } }, async () => ({
    items: (await listUsers(deps.store.db)).map(presentUser),
  }));

  // Staff see who is who (assignees, requesters, colleagues) — read-only, no secrets.
  app.get('/directory', { config: { access: STAFF_ROLES }, schema: { tags, response: { 200: z.object({ items: z.array(userOut) }) } } }, async () => ({
    items: (await listUsers(deps.store.db)).map(presentUser),
  }));

  app.get('/users/:userId', { config: admins, schema: { tags, params: userIdParams, response: { 200: userOut } } }, async (req) => {
    const user = await findUserById(deps.store.db, req.params.userId);
    if (!user) throw new DomainError('USER_NOT_FOUND', `no user '${req.params.userId}'`, { user_id: req.params.userId });
    return presentUser(user);
  });

  app.post('/users', { config: admins, schema: { tags, body: createUserIn, response: { 201: userOut.extend({ invitation: linkOut.optional() }) } } }, async (req, reply) => {
    const b = req.body;
    if (b.invite && b.password !== undefined) {
      throw new DomainError('VALIDATION_FAILED', 'give either a password or invite: true (the user then chooses their own password)', { field: 'password' });
    }
    const user = await createUser(deps, {
      email: b.email,
      name: b.name,
      role: b.role,
      organizationId: b.organization_id ?? null,
      ...(b.password !== undefined && { password: b.password }),
      ...(b.phone !== undefined && { phone: b.phone }),
      ...(b.time_zone !== undefined && { timeZone: b.time_zone }),
    });
    if (!b.invite) return reply.code(201).send(presentUser(user));
    const link = await sendPasswordLink(deps, { userId: user.id, purpose: 'invite', by: actorOf(req).userId, publicUrl: publicUrlOf(deps, req) });
    return reply.code(201).send({ ...presentUser(user), invitation: presentLink(link) });
  });

  // A (new) invitation: a set-password link by email; the user's current password keeps working until they use it.
  app.post('/users/:userId/invite', { config: admins, schema: { tags, params: userIdParams, response: { 200: linkOut } } }, async (req) =>
    presentLink(await sendPasswordLink(deps, { userId: req.params.userId, purpose: 'invite', by: actorOf(req).userId, publicUrl: publicUrlOf(deps, req) })),
  );

  // A reset: the password is cleared and every session and token of the user ends now; the link lets them choose a new one.
  // `end_access: false` keeps the current password and sessions until the link is used (a reminder rather than a lock-out).
  app.post(
    '/users/:userId/reset-password',
    {
      config: admins,
      schema: {
        tags,
        params: userIdParams,
        body: z.strictObject({ end_access: z.boolean().default(true).describe('true (default): clear the password and end every session and token now') }).default({ end_access: true }),
        response: { 200: linkOut },
      },
    },
    async (req) =>
      presentLink(await sendPasswordLink(deps, { userId: req.params.userId, purpose: 'reset', endAccess: req.body.end_access, by: actorOf(req).userId, publicUrl: publicUrlOf(deps, req) })),
  );

  app.patch('/users/:userId', { config: admins, schema: { tags, params: userIdParams, body: patchUserIn, response: { 200: userOut } } }, async (req) => {
    const b = req.body;
    const user = await updateUser(deps, req.params.userId, {
      ...(b.name !== undefined && { name: b.name }),
      ...(b.role !== undefined && { role: b.role }),
      ...(b.active !== undefined && { active: b.active }),
      ...(b.password !== undefined && { password: b.password }),
      ...(b.phone !== undefined && { phone: b.phone }),
      ...(b.time_zone !== undefined && { timeZone: b.time_zone }),
    });
    return presentUser(user);
  });
};
