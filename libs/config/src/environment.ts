import 'reflect-metadata';
import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const toBoolean = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : value === true || value === 'true' || value === '1' ? true : value === false || value === 'false' || value === '0' ? false : value;

/** The process environment, as Chancery reads it. Unknown variables are ignored. */
// Validators run from the one nearest the property outwards, and stop at the first that fails:
// keep the type check nearest, so that "abc" is reported as not a number rather than out of range.
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number)
  @Max(65535)
  @Min(0)
  @IsInt()
  PORT: number = 3000;

  @IsString()
  HOST: string = '0.0.0.0';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @MinLength(1)
  @IsString()
  CHANCERY_DATA_DIR: string = './data';

  @Type(() => Number)
  @Max(200)
  @Min(1)
  @IsInt()
  DB_POOL_SIZE: number = 10;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** Run the async projection runner inside the API process (a separate worker may run too). */
  @Transform(toBoolean)
  @IsBoolean()
  PROJECTIONS_INLINE: boolean = true;

  @Type(() => Number)
  @Max(60_000)
  @Min(10)
  @IsInt()
  PROJECTIONS_POLL_MS: number = 1000;

  @Type(() => Number)
  @Max(10_000)
  @Min(1)
  @IsInt()
  PROJECTIONS_BATCH_SIZE: number = 500;

  /** Largest accepted request body, in bytes-style notation understood by body-parser. */
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must look like 512kb or 1mb' })
  BODY_LIMIT: string = '1mb';
}

export interface AppConfig {
  env: Environment['NODE_ENV'];
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
  logLevel: Environment['LOG_LEVEL'];
  projections: { inline: boolean; pollMs: number; batchSize: number };
  bodyLimit: string;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/** Reads and validates the environment; throws a ConfigurationError naming every bad setting. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const env = plainToInstance(Environment, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: false, forbidUnknownValues: false, stopAtFirstError: true });
  if (errors.length > 0) {
    throw new ConfigurationError(
      errors.map((error) => `${error.property}=${JSON.stringify(source[error.property])}: ${Object.values(error.constraints ?? {}).join('; ')}`),
    );
  }
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.CHANCERY_DATA_DIR,
    poolSize: env.DB_POOL_SIZE,
    logLevel: env.LOG_LEVEL,
    projections: { inline: env.PROJECTIONS_INLINE, pollMs: env.PROJECTIONS_POLL_MS, batchSize: env.PROJECTIONS_BATCH_SIZE },
    bodyLimit: env.BODY_LIMIT,
  };
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
