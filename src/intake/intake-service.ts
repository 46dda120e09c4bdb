/**
 * The `intake` service as `escalon serve --services=…,intake` starts it: the SMTP listener on
 * ESCALON_INTAKE_SMTP_HOST:PORT for mail to ESCALON_INTAKE_DOMAIN. It needs ESCALON_SECRET
 * (reply addresses are signed with it). The web form, provider webhooks and surveys are HTTP
 * routes of the `api` service (pass `intakeHttpOptions(config)` as `intake` to buildApp).
 */
import type { AppDeps } from '../app/deps.ts';
import { ensureIntakeOrganization } from '../app/intake-organization.ts';
import type { Config } from '../config.ts';
import type { IntakeHttpOptions } from '../http/routes/intake.ts';
import { parseIntakeSources } from './intake-sources.ts';
import { startSmtpListener, type SmtpListener } from './smtp-listener.ts';

export async function startIntake(deps: AppDeps, config: Config, onError?: (err: unknown) => void): Promise<SmtpListener> {
  if (!config.secret) throw new Error('the intake service needs ESCALON_SECRET (it signs reply addresses)');
  const defaultOrganizationId = await ensureIntakeOrganization(deps, config.intake.defaultOrganization);
  return startSmtpListener(deps, {
    host: config.intake.smtpHost,
    port: config.intake.smtpPort,
    domain: config.intake.domain,
    maxBytes: config.intake.maxBytes,
    secret: config.secret,
    defaultOrganizationId,
    ...(onError && { onError }),
  });
}

/** `defaultOrganizationId`: from ensureIntakeOrganization (undefined: new senders are turned away). */
export function intakeHttpOptions(config: Config, defaultOrganizationId: string | undefined): IntakeHttpOptions {
  return {
    secret: config.secret,
    publicUrl: config.notify.publicUrl,
    defaultOrganizationId,
    sources: parseIntakeSources(config.intake.sources),
    webFormPerMinute: 5,
    webFormPerHourPerSender: 5,
    mail: { domain: config.intake.domain, smtpPort: config.intake.smtpPort, maxBytes: config.intake.maxBytes },
  };
}
