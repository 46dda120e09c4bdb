/** API tokens: admins issue (the secret is shown once), list and revoke them. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createToken } from '../../app/create-token.ts';
import { revokeToken } from '../../app/revoke-token.ts';
import { listTokens } from '../../store/credentials-repo.ts';
import type { HttpDeps } from '../build-app.ts';
import { presentToken } from '../present.ts';
import { createTokenIn, createdTokenOut, tokenIdParams, tokenOut } from '../schemas.ts';

export const tokenRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const admins = { access: ['admin'] as const };
  const tags = ['tokens'];

  app.get('/tokens', { config: admins, schema: { tags, response: { 200: z.object({ items: z.array(tokenOut) }) } } }, async () => ({
    items: (await listTokens(deps.store.db)).map(presentToken),
  }));

  app.post('/tokens', { config: admins, schema: { tags, body: createTokenIn, response: { 201: createdTokenOut } } }, async (req, reply) => {
    const { token, secret } = await createToken(deps, { user: { id: req.body.user_id }, name: req.body.name });
    return reply.code(201).send({ token: presentToken(token), secret });
  });

  app.delete('/tokens/:tokenId', { config: admins, schema: { tags, params: tokenIdParams, response: { 200: tokenOut } } }, async (req) =>
    presentToken(await revokeToken(deps, req.params.tokenId)),
  );
};
