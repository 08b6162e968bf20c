import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let keyFile: string | undefined;

/**
 * The audit log's signing settings for a test process, as an operator gives them with DATABASE_URL:
 * one Ed25519 key per test process, and a heads file of the caller's own (outside every database).
 */
export function testAuditEnv(): { AUDIT_SIGNING_KEY_FILE: string; AUDIT_HEADS_FILE: string } {
  if (!keyFile) {
    const folder = mkdtempSync(join(tmpdir(), 'chancery-audit-key-'));
    keyFile = join(folder, 'audit-signing-key.pem');
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const headsFile = join(mkdtempSync(join(tmpdir(), 'chancery-audit-heads-')), 'audit-heads.jsonl');
  return { AUDIT_SIGNING_KEY_FILE: keyFile, AUDIT_HEADS_FILE: headsFile };
}
