/**
 * The service configuration: parsed once, from the environment and an optional file named by
 * ESCALON_CONFIG_FILE (YAML or JSON, with the same keys as the environment variables; the
 * environment wins). This is the only module that reads `process.env`. Every invalid value is
 * reported at once; the result is frozen.
 */
import { fileProblem } from './file-problem.ts';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  ESCALON_DATABASE_URL: z
    .string()
    .default('sqlite:./data/escalon.db')
    .refine((v) => /^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(v), {
      message: 'must be sqlite:PATH (e.g. sqlite:./data/escalon.db) or postgres://user@host:port/db',
    }),
  PORT: port(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  ESCALON_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  ESCALON_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ESCALON_ACCESS_LOG: z.enum(['info', 'debug', 'off']).default('info'),
  ESCALON_BODY_LIMIT: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  ESCALON_ATTACHMENT_LIMIT: z.coerce.number().int().min(1).max(32 * 1024 * 1024).default(5 * 1024 * 1024),
  ESCALON_ATTACHMENTS_DIR: z.string().min(1).default('./data/attachments'),
  ESCALON_SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 365).default(24 * 7),
  ESCALON_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10),
  ESCALON_TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, 'must be true, false, a number of proxy hops, or a comma-separated list of proxy addresses/CIDRs (e.g. 10.0.0.0/8,127.0.0.1)')
    .default('false'),
  ESCALON_HSTS_MAX_AGE: z.coerce.number().int().min(0).max(2 * 365 * 86_400).default(31_536_000),
  ESCALON_SMTP_HOST: z.string().min(1).optional(),
  ESCALON_SMTP_PORT: port(25),
  ESCALON_SMTP_SECURE: flag.default(false),
  ESCALON_SMTP_USER: z.string().min(1).optional(),
  ESCALON_SMTP_PASSWORD: z.string().min(1).optional(),
  ESCALON_SMTP_FROM: z.string().email('must be an email address').default('escalon@localhost'),
  // notifications and intake (docs/ARCHITECTURE.md, "Notifications and intake")
  ESCALON_PUBLIC_URL: z.string().url('must be an absolute URL, e.g. https://escalon.example.com').default('http://localhost:8080'),
  ESCALON_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  ESCALON_WEBHOOK_ALLOW_PRIVATE: flag.default(false),
  ESCALON_WEBHOOK_DISABLE_AFTER: z.coerce.number().int().min(1).max(10_000).default(25),
  ESCALON_OUTBOX_MAX_AGE_HOURS: z.coerce.number().min(0.01).max(24 * 365).default(72),
  ESCALON_MERGE_WINDOW_MS: z.coerce.number().int().min(0).max(3_600_000).default(300_000),
  ESCALON_SMS_URL: z.string().url('must be the provider\'s absolute URL').optional(),
  ESCALON_SMS_AUTHORIZATION: z.string().min(1).optional(),
  ESCALON_SMS_FROM: z.string().min(1).optional(),
  ESCALON_SMS_FORMAT: z.enum(['json', 'form']).default('json'),
  ESCALON_SMS_FIELDS: z.string().regex(/^to=[\w.-]+,from=[\w.-]+,text=[\w.-]+$/, 'must be to=NAME,from=NAME,text=NAME').default('to=to,from=from,text=text'),
  ESCALON_INTAKE_SMTP_HOST: z.string().min(1).default('0.0.0.0'),
  ESCALON_INTAKE_SMTP_PORT: port(2525),
  ESCALON_INTAKE_DOMAIN: z.string().regex(/^[a-z0-9.-]+$/i, 'must be a mail domain, e.g. support.example.com').default('localhost'),
  ESCALON_INTAKE_MAX_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
  ESCALON_INTAKE_DEFAULT_ORG: z.string().min(1).optional(),
  ESCALON_INTAKE_SOURCES: z.string().min(2).optional(),
  ESCALON_RISK_INTERVAL: z
    .string()
    .regex(/^\d+(s|m|h)$/, 'must be a duration like 15m, 1h or 90s')
    .default('15m')
    .refine((v) => durationMs(v) >= 10_000 && durationMs(v) <= 24 * 3_600_000, 'must be between 10s and 24h'),
  ESCALON_AUDIT_ANCHOR_INTERVAL: z
    .string()
    .regex(/^\d+(s|m|h)$/, 'must be a duration like 1h, 15m or 90s')
    .default('1h')
    .refine((v) => durationMs(v) >= 10_000 && durationMs(v) <= 7 * 24 * 3_600_000, 'must be between 10s and 168h'),
  ESCALON_SHUTDOWN_TIMEOUT: z
    .string()
    .regex(/^\d+(s|m)$/, 'must be a duration like 30s or 2m')
    .default('30s')
    .refine((v) => durationMs(v) >= 1_000 && durationMs(v) <= 3_600_000, 'must be between 1s and 60m'),
});

function durationMs(v: string): number {
  const n = Number(v.slice(0, -1));
  return n * ({ s: 1000, m: 60_000, h: 3_600_000 }[v.slice(-1)] ?? 0);
}

export interface Config {
  readonly database: { readonly url: string; readonly dialect: 'sqlite' | 'postgres' };
  readonly http: {
    readonly port: number;
    readonly host: string;
    readonly bodyLimit: number;
    readonly attachmentLimit: number;
    readonly loginRateLimit: number;
    /** Fastify's trustProxy: which proxies' X-Forwarded-For/-Proto/-Host are believed. */
    readonly trustProxy: boolean | number | string;
    /** The origin of ESCALON_PUBLIC_URL when it was set (cross-site request checks); undefined: each request's own Host. */
    readonly publicOrigin: string | undefined;
    /** The session cookie is Secure (ESCALON_PUBLIC_URL is https://; requests over TLS get it anyway). */
    readonly secureCookies: boolean;
    /** Strict-Transport-Security max-age on answers over TLS (0: no header). */
    readonly hstsMaxAge: number;
    /** The level of the one line per request (ESCALON_ACCESS_LOG); `off`: none (errors keep their own lines). */
    readonly accessLog: 'info' | 'debug' | 'off';
  };
  /** Where attachment bytes are kept (content-addressed files, outside the database). */
  readonly attachments: { readonly dir: string };
  readonly secret: string | undefined;
  readonly sessionTtlMs: number;
  readonly logLevel: string;
  readonly smtp: {
    readonly host: string | undefined;
    readonly port: number;
    readonly secure: boolean;
    readonly user: string | undefined;
    readonly password: string | undefined;
    readonly from: string;
  };
  readonly notify: {
    readonly publicUrl: string;
    readonly webhookTimeoutMs: number;
    readonly webhookAllowPrivate: boolean;
    readonly webhookDisableAfter: number;
    /** A message waiting for a channel that is not configured fails (once) after this age. */
    readonly outboxMaxAgeMs: number;
    /** Non-urgent messages to a person about one ticket within this window go as one. */
    readonly mergeWindowMs: number;
    readonly sms: { readonly url: string; readonly authorization: string | undefined; readonly from: string | undefined; readonly format: 'json' | 'form'; readonly fields: { readonly to: string; readonly from: string; readonly text: string } } | undefined;
  };
  readonly intake: {
    readonly smtpHost: string;
    readonly smtpPort: number;
    readonly domain: string;
    readonly maxBytes: number;
    /** Organization new senders join (unknown senders are refused without it). */
    readonly defaultOrganization: string | undefined;
    /** JSON text of the inbound webhook sources (parsed and checked by intake/). */
    readonly sources: string | undefined;
  };
  /** Risk prediction (issue 14): how often the scheduler rescores every open ticket (ESCALON_RISK_INTERVAL). */
  readonly risk: { readonly intervalMs: number };
  /** Audit anchors (issue 16): how often the scheduler takes one (ESCALON_AUDIT_ANCHOR_INTERVAL). */
  readonly audit: { readonly anchorIntervalMs: number };
  /** `serve` on SIGTERM/SIGINT: how long the graceful stop may take before the process exits anyway (ESCALON_SHUTDOWN_TIMEOUT). */
  readonly shutdownTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

function readFile(path: string): Source {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`ESCALON_CONFIG_FILE: cannot read ${path}: ${fileProblem(err)}`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`ESCALON_CONFIG_FILE: ${path} must hold a mapping of settings`]);
  }
  const out: Source = {};
  for (const [k, v] of Object.entries(parsed)) out[k] = v === null ? undefined : String(v);
  return out;
}

/** Drops empty strings so `PORT=` means "not set" rather than "invalid". */
function compact(src: Source): Source {
  const out: Source = {};
  for (const [k, v] of Object.entries(src)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

export function loadConfig(env: Source = process.env): Config {
  const file = env.ESCALON_CONFIG_FILE ? readFile(env.ESCALON_CONFIG_FILE) : {};
  const merged = { ...compact(file), ...compact(env) };
  const known = Object.keys(envSchema.shape);
  const unknownInFile = Object.keys(file).filter((k) => !known.includes(k));
  const result = envSchema.safeParse(merged);
  const problems = unknownInFile.map((k) => `${k}: unknown setting in ESCALON_CONFIG_FILE`);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.join('.');
      problems.push(`${key}: ${issue.message} (got ${JSON.stringify(merged[key] ?? null)})`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  const e = result.data;
  const config: Config = {
    database: { url: e.ESCALON_DATABASE_URL, dialect: e.ESCALON_DATABASE_URL.startsWith('sqlite:') ? 'sqlite' : 'postgres' },
    http: {
      port: e.PORT,
      host: e.HOST,
      bodyLimit: e.ESCALON_BODY_LIMIT,
      attachmentLimit: e.ESCALON_ATTACHMENT_LIMIT,
      loginRateLimit: e.ESCALON_LOGIN_RATE_LIMIT,
      trustProxy: trustProxyOf(e.ESCALON_TRUST_PROXY),
      publicOrigin: merged.ESCALON_PUBLIC_URL !== undefined ? new URL(e.ESCALON_PUBLIC_URL).origin : undefined,
      secureCookies: e.ESCALON_PUBLIC_URL.startsWith('https://'),
      hstsMaxAge: e.ESCALON_HSTS_MAX_AGE,
      accessLog: e.ESCALON_ACCESS_LOG,
    },
    attachments: { dir: e.ESCALON_ATTACHMENTS_DIR },
    secret: e.ESCALON_SECRET,
    sessionTtlMs: e.ESCALON_SESSION_TTL_HOURS * 3_600_000,
    logLevel: e.ESCALON_LOG_LEVEL,
    smtp: {
      host: e.ESCALON_SMTP_HOST,
      port: e.ESCALON_SMTP_PORT,
      secure: e.ESCALON_SMTP_SECURE,
      user: e.ESCALON_SMTP_USER,
      password: e.ESCALON_SMTP_PASSWORD,
      from: e.ESCALON_SMTP_FROM,
    },
    notify: {
      publicUrl: e.ESCALON_PUBLIC_URL,
      webhookTimeoutMs: e.ESCALON_WEBHOOK_TIMEOUT_MS,
      webhookAllowPrivate: e.ESCALON_WEBHOOK_ALLOW_PRIVATE,
      webhookDisableAfter: e.ESCALON_WEBHOOK_DISABLE_AFTER,
      outboxMaxAgeMs: Math.round(e.ESCALON_OUTBOX_MAX_AGE_HOURS * 3_600_000),
      mergeWindowMs: e.ESCALON_MERGE_WINDOW_MS,
      sms: e.ESCALON_SMS_URL
        ? {
            url: e.ESCALON_SMS_URL,
            authorization: e.ESCALON_SMS_AUTHORIZATION,
            from: e.ESCALON_SMS_FROM,
            format: e.ESCALON_SMS_FORMAT,
            fields: Object.fromEntries(e.ESCALON_SMS_FIELDS.split(',').map((kv) => kv.split('='))) as { to: string; from: string; text: string },
          }
        : undefined,
    },
    intake: {
      smtpHost: e.ESCALON_INTAKE_SMTP_HOST,
      smtpPort: e.ESCALON_INTAKE_SMTP_PORT,
      domain: e.ESCALON_INTAKE_DOMAIN,
      maxBytes: e.ESCALON_INTAKE_MAX_BYTES,
      defaultOrganization: e.ESCALON_INTAKE_DEFAULT_ORG,
      sources: e.ESCALON_INTAKE_SOURCES,
    },
    risk: { intervalMs: durationMs(e.ESCALON_RISK_INTERVAL) },
    audit: { anchorIntervalMs: durationMs(e.ESCALON_AUDIT_ANCHOR_INTERVAL) },
    shutdownTimeoutMs: durationMs(e.ESCALON_SHUTDOWN_TIMEOUT),
  };
  return deepFreeze(config);
}

/** ESCALON_TRUST_PROXY → Fastify's trustProxy: true/false, a hop count, or the proxies' addresses. */
function trustProxyOf(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',').map((a) => a.trim()).join(',');
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
