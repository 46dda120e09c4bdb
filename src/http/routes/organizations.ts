/** Organizations: staff read them; admins and managers create, change and delete; a customer reads only their own. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createOrganization, deleteOrganization, updateOrganization } from '../../app/manage-organization.ts';
import { STAFF_ROLES, isStaff } from '../../auth/roles.ts';
import { DomainError } from '../../domain/errors.ts';
import { findOrganization, listOrganizations } from '../../store/organizations-repo.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { presentOrganization } from '../present.ts';
import { createOrganizationIn, organizationOut, orgIdParams, patchOrganizationIn } from '../schemas.ts';

export const organizationRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const managers = { access: ['admin', 'manager'] as const };
  const tags = ['organizations'];

  app.get('/organizations', { config: { access: STAFF_ROLES }, schema: { tags, response: { 200: z.object({ items: z.array(organizationOut) }) } } }, async () => ({
    items: (await listOrganizations(deps.store.db)).map(presentOrganization),
  }));

  app.get('/organizations/:orgId', { config: { access: 'authenticated' }, schema: { tags, params: orgIdParams, response: { 200: organizationOut } } }, async (req) => {
    const actor = actorOf(req);
    const org = await findOrganization(deps.store.db, req.params.orgId);
    if (!org || (!isStaff(actor.role) && actor.organizationId !== org.id)) {
      throw new DomainError('ORGANIZATION_NOT_FOUND', `no organization '${req.params.orgId}'`, { organization_id: req.params.orgId });
    }
    return presentOrganization(org);
  });

  app.post('/organizations', { config: managers, schema: { tags, body: createOrganizationIn, response: { 201: organizationOut } } }, async (req, reply) => {
    const b = req.body;
    const org = await createOrganization(deps, { name: b.name, tier: b.tier, contractValue: b.contract_value ?? null, accountManager: b.account_manager ?? null, ...(b.mail_domains && { mailDomains: b.mail_domains }) });
    return reply.code(201).send(presentOrganization(org));
  });

  app.patch('/organizations/:orgId', { config: managers, schema: { tags, params: orgIdParams, body: patchOrganizationIn, response: { 200: organizationOut } } }, async (req) => {
    const b = req.body;
    const org = await updateOrganization(deps, req.params.orgId, {
      ...(b.name !== undefined && { name: b.name }),
      ...(b.tier !== undefined && { tier: b.tier }),
      ...(b.contract_value !== undefined && { contractValue: b.contract_value }),
      ...(b.account_manager !== undefined && { accountManager: b.account_manager }),
      ...(b.mail_domains !== undefined && { mailDomains: b.mail_domains }),
    });
    return presentOrganization(org);
  });

  app.delete('/organizations/:orgId', { config: managers, schema: { tags, params: orgIdParams, response: { 204: z.null() } } }, async (req, reply) => {
    await deleteOrganization(deps, req.params.orgId);
    return reply.code(204).send(null);
  });
};
