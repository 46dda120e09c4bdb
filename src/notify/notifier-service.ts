/**
 * The `notifier` service as `escalon serve --services=…,notifier` starts it: channels built
 * from the configuration (email when ESCALON_SMTP_HOST is set, webhooks always, SMS when
 * ESCALON_SMS_URL is set, a `reply:<source>` channel per intake source with a reply URL) and the
 * dispatcher loop over the outbox.
 */
import type { Clock } from '../domain/clock.ts';
import type { Config } from '../config.ts';
import { diskByteStore } from '../store/byte-store.ts';
import type { Store } from '../store/connect.ts';
import type { Channel } from './channels/channel.ts';
import { parseIntakeSources } from '../intake/intake-sources.ts';
import { createEmailChannel } from './channels/email.ts';
import { createProviderReplyChannel } from './channels/provider-reply.ts';
import { createSmsChannel } from './channels/sms.ts';
import { createWebhookChannel } from './channels/webhook.ts';
import type { RecipientDirectory } from './recipient-directory.ts';
import { startDispatcher, type RunningDispatcher } from './start-dispatcher.ts';

export function channelsFromConfig(config: Config, store: Store): Record<string, Channel> {
  const channels: Record<string, Channel> = {
    webhook: createWebhookChannel(store.db, {
      timeoutMs: config.notify.webhookTimeoutMs,
      allowPrivate: config.notify.webhookAllowPrivate,
      disableAfter: config.notify.webhookDisableAfter,
    }),
  };
  if (config.smtp.host) {
    channels.email = createEmailChannel({
      host: config.smtp.host,
      port: config.smtp.port,
      secure: config.smtp.secure,
      user: config.smtp.user,
      password: config.smtp.password,
      from: config.smtp.from,
      timeoutMs: 10_000,
    });
  }
  const sms = config.notify.sms;
  if (sms) channels.sms = createSmsChannel({ ...sms, fields: { ...sms.fields }, timeoutMs: config.notify.webhookTimeoutMs });
  for (const [source, def] of Object.entries(parseIntakeSources(config.intake.sources))) {
    if (def.reply) channels[`reply:${source}`] = createProviderReplyChannel({ source, url: def.reply.url, secret: def.reply.secret, timeoutMs: config.notify.webhookTimeoutMs });
  }
  return channels;
}

export function startNotifier(ctx: { config: Config; store: Store; clock: Clock; directory?: RecipientDirectory; onError?: (err: unknown) => void }): RunningDispatcher {
  return startDispatcher({
    store: ctx.store,
    clock: ctx.clock,
    channels: channelsFromConfig(ctx.config, ctx.store),
    links: { publicUrl: ctx.config.notify.publicUrl, secret: ctx.config.secret, replyDomain: ctx.config.intake.domain },
    files: diskByteStore(ctx.config.attachments.dir),
    options: { maxAgeMs: ctx.config.notify.outboxMaxAgeMs, mergeWindowMs: ctx.config.notify.mergeWindowMs },
    ...(ctx.directory && { directory: ctx.directory }),
    ...(ctx.onError && { onError: ctx.onError }),
  });
}
