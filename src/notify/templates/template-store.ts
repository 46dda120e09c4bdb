/**
 * The template registry: the shipped templates, overridden by an admin's versions stored in
 * `notification_templates`. Saving checks the template renders against the sample context
 * (and, for customer templates, against the redacted one customers get); a template that does
 * not render is refused with the renderer's message and nothing is stored.
 */
import type { Kysely } from 'kysely';
import { DomainError } from '../../domain/errors.ts';
import type { Database } from '../../store/schema.ts';
import { CUSTOMER_TEMPLATES } from './builtin-customer.ts';
import { INTERNAL_TEMPLATES } from './builtin-internal.ts';
import { redactForCustomer } from './redact.ts';
import { renderTemplate, TemplateRenderError } from './render.ts';
import { sampleContext } from './render-context.ts';
import type { TemplateSource } from './template-source.ts';

type Db = Kysely<Database>;

/** The shipped templates by name. No prototype: a name from a URL never finds Object's members. */
export const BUILTIN_TEMPLATES: Readonly<Record<string, TemplateSource>> = Object.freeze(Object.assign(Object.create(null) as Record<string, TemplateSource>, INTERNAL_TEMPLATES, CUSTOMER_TEMPLATES));

/** The shipped template of that name, if there is one (an own entry only). */
export function builtinTemplate(name: string): TemplateSource | undefined {
  return Object.hasOwn(BUILTIN_TEMPLATES, name) ? BUILTIN_TEMPLATES[name] : undefined;
}

export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * Names an admin may not give a new template: those of Object.prototype's members
 * (`constructor`, …), which code or a client that keeps templates in a plain object would
 * confuse with the object's own machinery.
 */
export function isReservedTemplateName(name: string): boolean {
  return name in Object.prototype && !Object.hasOwn(BUILTIN_TEMPLATES, name);
}

export interface StoredTemplate extends TemplateSource {
  name: string;
  overridden: boolean;
  updatedAt: number | null;
  updatedBy: string | null;
}

export async function findTemplate(db: Db, name: string): Promise<StoredTemplate | undefined> {
  const row = await db.selectFrom('notification_templates').selectAll().where('name', '=', name).executeTakeFirst();
  const builtin = builtinTemplate(name);
  if (row) {
    return {
      name,
      audience: builtin?.audience ?? 'internal',
      subject: row.subject,
      text: row.text_body,
      ...(row.html_body !== null && { html: row.html_body }),
      overridden: builtin !== undefined,
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    };
  }
  return builtin ? { name, ...builtin, overridden: false, updatedAt: null, updatedBy: null } : undefined;
}

/** Every template name known: shipped ones and admin-added ones (policy validation reads this). */
export async function templateNames(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('notification_templates').select('name').execute();
  return [...new Set([...Object.keys(BUILTIN_TEMPLATES), ...rows.map((r) => r.name)])].sort();
}

/** Renders against the sample context; returns the problems (empty when it renders). */
export async function checkTemplate(name: string, source: TemplateSource): Promise<string[]> {
  const problems: string[] = [];
  const sample = sampleContext();
  const contexts = source.audience === 'customer' ? [sample, redactForCustomer(sample)] : [sample];
  for (const ctx of contexts) {
    try {
      await renderTemplate(name, source, ctx);
    } catch (err) {
      problems.push(err instanceof TemplateRenderError ? err.message : `template '${name}': ${(err as Error).message}`);
      break;
    }
  }
  return problems;
}

export async function saveTemplate(db: Db, input: { name: string; subject: string; text: string; html: string | null; by: string; at: number }): Promise<StoredTemplate> {
  if (!TEMPLATE_NAME.test(input.name)) {
    throw new DomainError('VALIDATION_FAILED', `template name '${input.name}' must be lowercase letters, digits and dashes (at most 64)`, { name: input.name });
  }
  if (isReservedTemplateName(input.name)) {
    throw new DomainError('VALIDATION_FAILED', `template name '${input.name}' is reserved; choose another name`, { name: input.name });
  }
  // Only shipped templates carry an audience; admin-added ones are internal (never sent to customers).
  const audience = builtinTemplate(input.name)?.audience ?? 'internal';
  const source: TemplateSource = { audience, subject: input.subject, text: input.text, ...(input.html !== null && { html: input.html }) };
  const problems = await checkTemplate(input.name, source);
  if (problems.length > 0) {
    throw new DomainError('TEMPLATE_INVALID', problems[0] as string, { name: input.name, problems, hint: 'fix the template; it is checked against the sample context (GET the template to see the fields)' });
  }
  const row = { name: input.name, subject: input.subject, text_body: input.text, html_body: input.html, updated_at: input.at, updated_by: input.by };
  await db
    .insertInto('notification_templates')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet({ subject: row.subject, text_body: row.text_body, html_body: row.html_body, updated_at: row.updated_at, updated_by: row.updated_by }))
    .execute();
  return (await findTemplate(db, input.name)) as StoredTemplate;
}

/** Removes an override, so the shipped version applies again. */
export async function resetTemplate(db: Db, name: string): Promise<boolean> {
  const r = await db.deleteFrom('notification_templates').where('name', '=', name).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
