/**
 * The admin API's OpenAPI document (/openapi.json, built by @fastify/swagger from the routes'
 * TypeBox schemas) validates against the OpenAPI 3.0 specification with
 * @apidevtools/swagger-parser (the OAS 3.0 JSON schema plus resolvable $refs). Also checks the
 * feedback routes are in it, and that a broken copy is refused.
 */
import t from 'tap';
import SwaggerParser from '@apidevtools/swagger-parser';
import { startAdminFixture } from './support/admin-fixture.ts';

t.test('/openapi.json validates as OpenAPI 3.0 and documents the feedback routes', async (t) => {
  const f = await startAdminFixture(t);
  const doc = (await f.call(undefined, 'GET', '/openapi.json')).json;
  const copy = structuredClone(doc);
  const validated = await SwaggerParser.validate(copy);
  t.equal(validated.info.title, 'Ferry admin API');
  const paths = Object.keys(doc.paths as object);
  for (const path of ['/v1/suppressions/{scope}', '/v1/suppressions/{scope}/{address}', '/v1/suppressions/{scope}/export.csv', '/v1/complaint-cases/{id}/consent', '/v1/complaint-cases/{id}/review', '/v1/tenants/{tenant}/webhook']) {
    t.ok(paths.includes(path), `${path} documented`);
  }
  const broken = structuredClone(doc);
  broken.paths['/v1/tenants/{tenant}'].get.responses = { 200: { content: {} } };
  await t.rejects(SwaggerParser.validate(broken), 'a response without its description fails (the validator is not a no-op)');
});
