import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type AuditLog, missingHeadsProblem, parseSavedHead, readHeadsFile, type SignedTreeHead } from '@chancery/audit';
import type { AppConfig } from '@chancery/config';

export interface AuditVerifyOptions {
  /** A head saved earlier (JSON of GET /audit/tree-head, or a heads file whose last line is taken). */
  head?: string;
  /** Where to save the current signed head. */
  exportHead?: string;
}

export interface AuditVerifyOutput {
  log(line: string): void;
  error(line: string): void;
  progress?(checked: number, total: number): void;
}

/**
 * `audit:verify`: with --head, that today's log is a consistent extension of a head saved earlier
 * (its signature, today's head signed by the same key, the consistency proof, every entry
 * recomputed to both roots); without, the whole tree recomputed and checked against the signed
 * heads in the database and in the heads file. With --export-head, the current signed head is saved
 * once the check has passed, never before it: a head saved under the name of the one checked is not
 * lost to the check, and no head of a log found broken is saved. Answers the exit code: 0 intact, 1
 * a discrepancy, 2 an unreadable saved head or a head that cannot be saved where asked (said
 * before the check when the place is wrong: a folder, a folder that does not exist).
 */
export async function auditVerify(audit: AuditLog, config: AppConfig, options: AuditVerifyOptions, out: AuditVerifyOutput): Promise<number> {
  const misplaced = options.exportHead === undefined ? null : await exportPlaceProblem(options.exportHead);
  if (misplaced) {
    out.error(`Cannot save the signed head to ${options.exportHead}: ${misplaced}`);
    return 2;
  }
  const checked = options.head !== undefined ? await checkAgainstSaved(audit, options.head, out) : await checkWhole(audit, config, out);
  if (checked !== 0 || options.exportHead === undefined) return checked;
  const head = await audit.treeHead();
  if (!head) {
    out.error('Nothing is sealed yet: there is no signed head to export.');
    return 1;
  }
  try {
    await writeFile(options.exportHead, `${JSON.stringify(head, null, 2)}\n`);
  } catch (error) {
    out.error(`The log is intact, but its signed head cannot be saved to ${options.exportHead}: ${(error as Error).message}`);
    return 2;
  }
  out.log(`Saved the signed head of ${head.treeSize} entries (root ${head.rootHash}) to ${options.exportHead}`);
  return 0;
}

/** What is wrong with `file` as the place to save a head: a folder, or in a folder that does not exist; null when it will do. */
async function exportPlaceProblem(file: string): Promise<string | null> {
  const found = await stat(file).catch(() => null);
  if (found?.isDirectory()) return 'it is a folder';
  const folder = dirname(resolve(file));
  return (await stat(folder).catch(() => null))?.isDirectory() ? null : `the folder ${folder} does not exist`;
}

async function checkAgainstSaved(audit: AuditLog, file: string, out: AuditVerifyOutput): Promise<number> {
  let saved: SignedTreeHead;
  try {
    saved = parseSavedHead(await readFile(file, 'utf8'));
  } catch (error) {
    out.error(`Cannot read a signed head from ${file}: ${(error as Error).message}`);
    return 2;
  }
  const discrepancy = await audit.checkAgainst(saved, out.progress);
  if (discrepancy) {
    out.error(`Audit log does NOT extend the saved head of ${saved.treeSize} entries: ${discrepancy}`);
    return 1;
  }
  const now = await audit.treeHead();
  out.log(
    `Audit log intact: today's head (${now?.treeSize} entries, root ${now?.rootHash}) extends the saved head of ${saved.treeSize} entries, ` +
      'is signed by the same key, and every entry recomputes to both.',
  );
  return 0;
}

async function checkWhole(audit: AuditLog, config: AppConfig, out: AuditVerifyOutput): Promise<number> {
  const { file, heads: expected, unreadable } = await readHeadsFile(config);
  if (unreadable) {
    out.error(`Audit log NOT verified: ${unreadable}`);
    return 1;
  }
  const result = await audit.verify({ expected, onProgress: out.progress });
  // A log the database alone vouches for is not called intact when the heads file holds none of its heads (as GET /audit/verify).
  const missing = result.valid ? missingHeadsProblem(file, expected.count, result.treeSize) : undefined;
  if (missing) {
    out.error(`Audit log NOT verified: ${missing}. Point AUDIT_HEADS_FILE at it, or verify against a head saved earlier (--head <file>).`);
    return 1;
  }
  if (result.valid) {
    out.log(`Audit log intact: ${result.entries} entries, root ${result.head}; ${file ? `${expected.count} heads in ${file} agree` : 'no heads file to compare (AUDIT_HEADS_FILE)'}; ${result.pending} not sealed yet.`);
    return 0;
  }
  if (result.firstBroken) out.error(`Audit log BROKEN at entry ${result.firstBroken.seq}: ${result.firstBroken.reason}`);
  else out.error(`Audit log NOT verified: ${result.headsProblem}.`);
  const recomputed = result.entries > result.agreed ? `entries 1 to ${result.entries} recompute to their stored hashes` : '';
  out.error(result.agreed > 0 ? `Entries 1 to ${result.agreed} agree with a signed head${recomputed ? `; ${recomputed}` : ''}.` : `No signed head was found to agree with the entries${recomputed ? `; ${recomputed}` : ''}.`);
  if (result.firstBroken && result.headsProblem) out.error(`And: ${result.headsProblem}.`);
  return 1;
}
