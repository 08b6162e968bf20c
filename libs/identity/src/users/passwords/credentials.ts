import type { EntityManager } from 'typeorm';

/** Replaces a user's password hash, in the transaction of the event that records the change. */
export async function storePasswordHash(tx: EntityManager, userId: string, passwordHash: string): Promise<void> {
  await tx.query('UPDATE user_credentials SET password_hash = $2, updated_at = now() WHERE user_id = $1', [userId, passwordHash]);
}
