import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '@chancery/config';
import { ConfigurationError } from '@chancery/config';

/**
 * The key that signs access tokens: JWT_SECRET, or in embedded mode one generated once and kept in
 * the data folder (so tokens survive a restart). With a database server it must be given.
 */
export async function resolveJwtSecret(config: AppConfig, embedded: boolean): Promise<string> {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  if (!embedded) throw missingJwtSecretError();
  const file = join(config.dataDir, 'jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return secret;
}

/** The refusal of a start with a database server and no JWT_SECRET, said before anything starts; undefined when it has one or needs none. */
export function missingJwtSecret(config: AppConfig): ConfigurationError | undefined {
  return config.databaseUrl && !config.auth.jwtSecret ? missingJwtSecretError() : undefined;
}

const missingJwtSecretError = () => new ConfigurationError(['JWT_SECRET is required when DATABASE_URL is set (at least 32 characters)']);
