import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsTimeZone, isFQDN, isIP, Matches, Max, Min, MinLength, ValidateBy, validateSync } from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/**
 * A whole number as people write one in a setting: decimal digits. `0x0D55`, `1e3` or ` 80 ` (which
 * `Number` would read as 3413, 1000 and 80) are left as written, for the integer check to refuse.
 */
const toWholeNumber = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

const toBoolean = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : value === true || value === 'true' || value === '1' ? true : value === false || value === 'false' || value === '0' ? false : value;

/** The process environment, as Chancery reads it. Unknown variables are ignored. */
// Validators run from the one nearest the property outwards, and stop at the first that fails:
// keep the type check nearest, so that "abc" is reported as not a number rather than out of range.
/** `90s`, `30m`, `8h`, `1d` in seconds. */
function secondsOf(duration: string): number {
  const amount = Number(duration.slice(0, -1));
  return amount * { s: 1, m: 60, h: 3600, d: 86_400 }[duration.slice(-1) as 's' | 'm' | 'h' | 'd'];
}

export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toWholeNumber)
  @Max(65535)
  @Min(0)
  @IsInt()
  PORT: number = 3000;

  /** The address to listen on: an IP address (0.0.0.0, 127.0.0.1, ::) or a host name. */
  @ValidateBy({
    name: 'isListenAddress',
    // Dotted digits are an IPv4 address or nothing (999.1.1.1 is no host name either).
    validator: {
      validate: (value: unknown) => typeof value === 'string' && (isIP(value) || (!/^[\d.]+$/.test(value) && (value === 'localhost' || isFQDN(value, { require_tld: false })))),
      defaultMessage: () => 'HOST must be an IP address (0.0.0.0, 127.0.0.1, ::) or a host name',
    },
  })
  HOST: string = '0.0.0.0';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @MinLength(1)
  @IsString()
  CHANCERY_DATA_DIR: string = './data';

  @Transform(toWholeNumber)
  @Max(200)
  @Min(1)
  @IsInt()
  DB_POOL_SIZE: number = 10;

  /**
   * How long a request or a background task waits for a pooled connection before it gives up
   * (503 "busy" for a request; a later retry for a task), instead of waiting forever behind a
   * stuck transaction.
   */
  @Transform(toWholeNumber)
  @Max(600_000)
  @Min(50)
  @IsInt()
  DB_ACQUIRE_TIMEOUT_MS: number = 10_000;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** Run the async projection runner inside the API process (a separate worker may run too). */
  @Transform(toBoolean)
  @IsBoolean()
  PROJECTIONS_INLINE: boolean = true;

  @Transform(toWholeNumber)
  @Max(60_000)
  @Min(10)
  @IsInt()
  PROJECTIONS_POLL_MS: number = 1000;

  @Transform(toWholeNumber)
  @Max(10_000)
  @Min(1)
  @IsInt()
  PROJECTIONS_BATCH_SIZE: number = 500;

  /** Signs access tokens. Required with DATABASE_URL; embedded mode generates one in its data folder. */
  @IsOptional()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  @IsString()
  JWT_SECRET?: string;

  /** Lifetime of an access token, e.g. 8h, 30m: at least a minute, at most 30 days. */
  @ValidateBy({
    name: 'isTokenLifetime',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^\d+[smhd]$/.test(value) && secondsOf(value) >= 60 && secondsOf(value) <= 30 * 86_400,
      defaultMessage: () => 'JWT_TTL must look like 30m, 8h or 1d, from 1 minute to 30 days (a token that expires as it is issued signs nobody in)',
    },
  })
  JWT_TTL: string = '8h';

  /** Password of the first admin, created when there are no users. */
  @IsOptional()
  @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
  @IsString()
  ADMIN_PASSWORD?: string;

  /** Failed logins allowed per client and username within LOGIN_WINDOW_SECONDS before 429. */
  @Transform(toWholeNumber)
  @Max(1000)
  @Min(1)
  @IsInt()
  LOGIN_MAX_FAILURES: number = 20;

  @Transform(toWholeNumber)
  @Max(86_400)
  @Min(1)
  @IsInt()
  LOGIN_WINDOW_SECONDS: number = 900;

  /** How often overdue deliveries and follow-ups are looked for and recorded; 0 turns it off. */
  @Transform(toWholeNumber)
  @Max(86_400_000)
  @Min(0)
  @IsInt()
  OVERDUE_SCAN_MS: number = 60_000;

  /**
   * The time zone whose calendar says what day it is for the Department's deadlines (due dates,
   * report-by dates, overdue, escalation): an IANA name.
   */
  @IsTimeZone({ message: 'DEPARTMENT_TIME_ZONE must be an IANA time zone such as America/New_York' })
  DEPARTMENT_TIME_ZONE: string = 'America/New_York';

  /**
   * How often the embedded database (PGlite: no autovacuum, no checkpointer) is vacuumed where dead
   * rows have piled up, analyzed where rows changed, and checkpointed; 0 turns it off.
   */
  @Transform(toWholeNumber)
  @Max(86_400_000)
  @Min(0)
  @IsInt()
  EMBEDDED_MAINTENANCE_MS: number = 300_000;

  /** Load the network of posts at start-up (idempotent). */
  @Transform(toBoolean)
  @IsBoolean()
  SEED_POSTS: boolean = true;

  /** In embedded mode, load the demo story into an empty database at start-up. */
  @Transform(toBoolean)
  @IsBoolean()
  DEMO: boolean = true;

  /**
   * Ed25519 private key (PKCS#8 PEM) that signs the audit log's tree heads; never stored in the
   * database. Required with DATABASE_URL where the sealer runs; embedded mode generates one in its data folder.
   */
  @IsOptional()
  @MinLength(1)
  @IsString()
  AUDIT_SIGNING_KEY_FILE?: string;

  /** Where every signed tree head is appended, one JSON line each (default: beside the key). */
  @IsOptional()
  @MinLength(1)
  @IsString()
  AUDIT_HEADS_FILE?: string;

  /** How often the sealer looks for new audit entries (an entry is sealed well within 5 s). */
  @Transform(toWholeNumber)
  @Max(1000)
  @Min(10)
  @IsInt()
  AUDIT_SEAL_INTERVAL_MS: number = 500;

  /**
   * How long an Idempotency-Key is remembered: a retry within it is answered the first answer; after
   * it, the key is free and the same key starts a new request.
   */
  @Transform(toWholeNumber)
  @Max(720)
  @Min(1)
  @IsInt()
  IDEMPOTENCY_KEY_TTL_HOURS: number = 24;

  /** Largest accepted request body, in bytes-style notation understood by body-parser. */
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must look like 512kb or 1mb' })
  BODY_LIMIT: string = '1mb';

  /** SMTP server for notification email (smtp:// or smtps://, credentials in the URL); unset: no email. */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** The sender of notification email. */
  @Matches(/^(.+ <)?[^\s@<>]+@[^\s@<>]+>?$/, { message: 'MAIL_FROM must be an address, e.g. chancery@example.gov or "Chancery <chancery@example.gov>"' })
  MAIL_FROM: string = 'Chancery <chancery@localhost>';

  /** Users have no address of their own yet: their mail goes to <username>@MAIL_DOMAIN. */
  @Matches(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i, { message: 'MAIL_DOMAIN must be a domain name, e.g. state.gov' })
  MAIL_DOMAIN: string = 'localhost';

  /** The web app's address, for links in email. */
  @Matches(/^https?:\/\/\S+$/, { message: 'APP_URL must be an http:// or https:// URL' })
  APP_URL: string = 'http://localhost:3000';

  /** How often an open event stream (GET /events/stream) gets a heartbeat comment. */
  @Transform(toWholeNumber)
  @Max(300_000)
  @Min(100)
  @IsInt()
  LIVE_HEARTBEAT_MS: number = 20_000;

  /**
   * How long an answer being sent may go without a byte passing before its connection is closed: a
   * client that stops reading (a download, an event stream) holds its socket and what was read for
   * it until then. Counted from the answer's headers, so the server's own work before them is not
   * cut. Longer than LIVE_HEARTBEAT_MS, which keeps an event stream busy; by default 60 s, or three
   * heartbeats if that is longer.
   */
  @IsOptional()
  @Transform(toWholeNumber)
  @Max(3_600_000)
  @Min(1000)
  @IsInt()
  HTTP_IDLE_TIMEOUT_MS?: number;
}

export interface AppConfig {
  env: Environment['NODE_ENV'];
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
  acquireTimeoutMs: number;
  logLevel: Environment['LOG_LEVEL'];
  projections: { inline: boolean; pollMs: number; batchSize: number };
  bodyLimit: string;
  /** How long an Idempotency-Key's first answer is kept and replayed. */
  idempotencyKeyTtlHours: number;
  auth: { jwtSecret?: string; jwtTtl: string; adminPassword?: string; loginMaxFailures: number; loginWindowSeconds: number };
  seedPosts: boolean;
  demo: boolean;
  overdueScanMs: number;
  /** DEPARTMENT_TIME_ZONE: whose calendar the Department's deadlines are judged on. */
  departmentTimeZone: string;
  /** How often the embedded database is vacuumed, analyzed and checkpointed (0: never). */
  embeddedMaintenanceMs: number;
  audit: { signingKeyFile?: string; headsFile?: string; sealIntervalMs: number };
  /** Notification email: off when smtpUrl is unset. */
  mail: { smtpUrl?: string; from: string; domain: string; appUrl: string };
  live: { heartbeatMs: number };
  /** An answer with no byte passing for this long, once its headers are sent, has its connection closed. */
  httpIdleTimeoutMs: number;
}

/** Settings whose values never appear in a message (a database URL may hold a password). */
const SECRET_SETTINGS = new Set(['JWT_SECRET', 'ADMIN_PASSWORD', 'DATABASE_URL', 'SMTP_URL']);

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/** Reads and validates the environment; throws a ConfigurationError naming every bad setting. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  // A variable set empty is read as unset (`PORT=` is the default port), but for DATABASE_URL: set
  // empty, it most likely lost its value (a secret not filled in), and read as unset it would start
  // the embedded database, with the demo's published password, where a server was meant.
  if (source.DATABASE_URL === '') {
    throw new ConfigurationError(['DATABASE_URL="": set but empty; give the postgres:// URL of the server, or unset it for the embedded database']);
  }
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const env = plainToInstance(Environment, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: false, forbidUnknownValues: false, stopAtFirstError: true });
  if (errors.length > 0) {
    throw new ConfigurationError(
      errors.map((error) => {
        const shown = SECRET_SETTINGS.has(error.property) ? '(hidden)' : JSON.stringify(source[error.property]);
        return `${error.property}=${shown}: ${Object.values(error.constraints ?? {}).join('; ')}`;
      }),
    );
  }
  // An answer idle no longer than a heartbeat's interval would cut event streams between heartbeats.
  if (env.HTTP_IDLE_TIMEOUT_MS !== undefined && env.HTTP_IDLE_TIMEOUT_MS <= env.LIVE_HEARTBEAT_MS) {
    throw new ConfigurationError([`HTTP_IDLE_TIMEOUT_MS=${env.HTTP_IDLE_TIMEOUT_MS}: must be longer than LIVE_HEARTBEAT_MS (${env.LIVE_HEARTBEAT_MS}), which keeps an event stream busy`]);
  }
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.CHANCERY_DATA_DIR,
    poolSize: env.DB_POOL_SIZE,
    acquireTimeoutMs: env.DB_ACQUIRE_TIMEOUT_MS,
    logLevel: env.LOG_LEVEL,
    projections: { inline: env.PROJECTIONS_INLINE, pollMs: env.PROJECTIONS_POLL_MS, batchSize: env.PROJECTIONS_BATCH_SIZE },
    bodyLimit: env.BODY_LIMIT,
    idempotencyKeyTtlHours: env.IDEMPOTENCY_KEY_TTL_HOURS,
    auth: {
      jwtSecret: env.JWT_SECRET,
      jwtTtl: env.JWT_TTL,
      adminPassword: env.ADMIN_PASSWORD,
      loginMaxFailures: env.LOGIN_MAX_FAILURES,
      loginWindowSeconds: env.LOGIN_WINDOW_SECONDS,
    },
    seedPosts: env.SEED_POSTS,
    demo: env.DEMO,
    overdueScanMs: env.OVERDUE_SCAN_MS,
    departmentTimeZone: env.DEPARTMENT_TIME_ZONE,
    embeddedMaintenanceMs: env.EMBEDDED_MAINTENANCE_MS,
    audit: { signingKeyFile: env.AUDIT_SIGNING_KEY_FILE, headsFile: env.AUDIT_HEADS_FILE, sealIntervalMs: env.AUDIT_SEAL_INTERVAL_MS },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, domain: env.MAIL_DOMAIN, appUrl: env.APP_URL.replace(/\/+$/, '') },
    live: { heartbeatMs: env.LIVE_HEARTBEAT_MS },
    httpIdleTimeoutMs: env.HTTP_IDLE_TIMEOUT_MS ?? Math.max(60_000, 3 * env.LIVE_HEARTBEAT_MS),
  };
}

/**
 * A failure the system or PostgreSQL names (a connection refused, a host not found, a database that
 * does not exist, a login refused): its message says what happened, a stack nothing more.
 */
export function isNamedFailure(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && ('syscall' in error || /^[0-9A-Z]{5}$/.test(code));
}

/**
 * Ends a process that could not start: a bad or missing setting found once the process knew more
 * (the database's users, the signing key's content) as `loadConfigOrExit` does, in lines naming it
 * (exit code 78, EX_CONFIG); a failure the system or PostgreSQL names in a line (`connect
 * ECONNREFUSED 127.0.0.1:5432`, `database "chancery" does not exist (PostgreSQL 3D000)`); anything
 * else with its stack (exit code 1).
 */
export function exitForFailedStart(error: unknown, said: string): never {
  if (error instanceof ConfigurationError) {
    console.error(`${said}: ${error.message}`);
    process.exit(78);
  }
  if (isNamedFailure(error)) console.error(`${said}: ${error.message}${'syscall' in error ? '' : ` (PostgreSQL ${error.code})`}`);
  else console.error(`${said}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}

/** For a process's entry point: the configuration, or a message naming each bad setting and exit 78. */
export function loadConfigOrExit(source: Record<string, string | undefined> = process.env): AppConfig {
  try {
    return loadConfig(source);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
}
