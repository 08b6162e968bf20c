import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, isUUID, Matches, MaxLength } from 'class-validator';
import { CountingNumberPipe, IsInstant, recordId, recordIdsIn, WholeNumberParameter } from '@chancery/http';
import { AuditLog, missingHeadsProblem, readHeadsFile } from '@chancery/audit';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import { UsersQuery } from '@chancery/identity';
import { RequirePermission } from '../auth/access.decorators.js';
import { PagingQuery } from '../common/paging.request.dto.js';

export class AuditQuery extends PagingQuery {
  /** A username or a user id. */
  @IsOptional() @IsString() @Matches(/\S/, { message: 'actor must name a username or a user id (leave it out for every actor)' }) @MaxLength(100) actor?: string;
  /**
   * A stream's id; the record id in it in any case, as ids are read everywhere (`cable-6C26B089-…` is
   * `cable-6c26b089-…`), and a post's code in it too, as post codes are (`delivery-…:tokyo`, `post-tokyo`).
   */
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' ? streamIdAsStored(value) : value))
  @IsString() @Matches(/\S/, { message: 'streamId must name a stream (leave it out for every stream)' }) @MaxLength(200) streamId?: string;
  @IsOptional() @IsInstant('from') from?: Date;
  @IsOptional() @IsInstant('to') to?: Date;
  @IsOptional() @IsIn(['asc', 'desc']) order?: 'asc' | 'desc';
}

/** A stream's id as the store spells it: record ids in lower case, post codes (a delivery's, a post's) in capitals. */
export function streamIdAsStored(text: string): string {
  const id = recordIdsIn(text.trim());
  const delivery = /^(delivery-[0-9a-f-]{36}):([A-Za-z]+)$/.exec(id);
  if (delivery) return `${delivery[1]}:${delivery[2].toUpperCase()}`;
  const post = /^post-([A-Za-z]+)$/.exec(id);
  return post ? `post-${post[1].toUpperCase()}` : id;
}

const TREE_SIZE = 2 ** 52;

export class ProofQuery {
  @IsOptional() @WholeNumberParameter(1, TREE_SIZE) treeSize?: number;
}

/** Whole numbers here; `AuditLog.consistencyProof` says the range they may take in the tree as sealed. */
export class ConsistencyQuery {
  @WholeNumberParameter(1, TREE_SIZE) from!: number;
  @WholeNumberParameter(1, TREE_SIZE) to!: number;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly audit: AuditLog,
    private readonly users: UsersQuery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @RequirePermission('audit.read')
  @ApiOperation({ summary: 'Audit entries filtered by actor (username or id), stream and time; oldest first, or newest first with order=desc' })
  async list(@Query() query: AuditQuery) {
    // A window that ends before it begins is said to, as the consistency proof's from and to are: not an empty page.
    if (query.from && query.to && query.from > query.to) {
      throw new ChanceryError(ErrorCode.ValidationFailed, 'from must not be later than to', { errors: [{ field: 'from', message: 'later than to' }] });
    }
    // An id as any route reads it (in any case: `recordId`), or a username.
    const actorIds = query.actor === undefined ? undefined : [recordId(query.actor) ?? query.actor, ...(await this.actorIdOf(query.actor))];
    const page = await this.audit.list({ actorIds, streamId: query.streamId, from: query.from, to: query.to, order: query.order, limit: query.limit, offset: query.offset });
    // Who each actor is, for the reader (auditors may not list users): beside the entry, not in it.
    const users = new Map((await this.users.standingOf([...new Set(page.items.map((i) => i.actorId))].filter((id) => isUUID(id)))).map((u) => [u.id, u]));
    // What an entry on a user, a post or the offices changed, read from its events (none classified): beside it too.
    const changes = await this.audit.directoryChanges(page.items);
    const items = page.items.map((item) => ({
      ...item,
      actorUsername: users.get(item.actorId)?.username ?? null,
      actorDisplayName: users.get(item.actorId)?.displayName ?? null,
      ...(changes.has(item.id) ? { changes: changes.get(item.id) } : {}),
    }));
    return { items, total: page.total };
  }

  /** The recomputation under way, if one is. */
  private verifying: Promise<unknown> | null = null;

  @Get('verify')
  @RequirePermission('audit.read')
  @ApiOperation({ summary: 'Re-compute every leaf and the tree, and check them against the stored nodes, the signed heads in the database and those in the heads file' })
  verify() {
    // One recomputation at a time: it reads the whole log, and callers who ask while it runs get its
    // answer (they asked the same question), rather than each starting another.
    this.verifying ??= this.recompute().finally(() => (this.verifying = null));
    return this.verifying;
  }

  private async recompute() {
    // The heads kept outside the database are what an insider cannot rewrite: without them, a log
    // cut or rewritten with its tables fixed up agrees with itself.
    const { file, heads, unreadable } = await readHeadsFile(this.config);
    const result = await this.audit.verify({ expected: heads });
    const checked = { ...result, headsFile: file, headsChecked: heads.count };
    // A heads file that cannot be read, or holds no head of a log that has some, leaves the log
    // unverified against it: never "valid".
    const problem = unreadable ?? missingHeadsProblem(file, heads.count, result.treeSize);
    return problem && result.valid ? { ...checked, valid: false, headsProblem: problem } : checked;
  }

  @Get('tree-head')
  @RequirePermission('audit.read')
  @ApiOperation({ summary: 'The newest signed tree head: {treeSize, rootHash, timestamp, signature, publicKey}' })
  async treeHead() {
    return (await this.audit.treeHead()) ?? { treeSize: 0, rootHash: null, timestamp: null, signature: null, publicKey: null };
  }

  @Get('entries/:seq')
  @RequirePermission('audit.read')
  @ApiOperation({ summary: 'One sealed entry as hashed into its leaf, and the leaf hash' })
  entry(@Param('seq', CountingNumberPipe) seq: number) {
    return this.audit.entry(seq);
  }

  @Get('entries/:seq/proof')
  @RequirePermission('audit.read')
  @ApiOperation({ summary: 'Inclusion proof (RFC 9162 §2.1.3) of an entry in the tree of treeSize (default: the newest head)' })
  proof(@Param('seq', CountingNumberPipe) seq: number, @Query() query: ProofQuery) {
    return this.audit.inclusionProof(seq, query.treeSize);
  }

  @Get('consistency')
  @RequirePermission('audit.read')
  @ApiOperation({ summary: 'Consistency proof (RFC 9162 §2.1.4) between the trees of from and to entries' })
  consistency(@Query() query: ConsistencyQuery) {
    return this.audit.consistencyProof(query.from, query.to);
  }

  private async actorIdOf(actor: string): Promise<string[]> {
    const found = (await this.users.withCredentials(actor)) ?? (await this.users.withCredentials(actor.toLowerCase()));
    return found ? [found.user.id] : [];
  }
}
