import { Body, Controller, Get, Header, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChanceryError, type CommandContext, ErrorCode } from '@chancery/common';
import { AggregateRepositoryFactory, EventStore } from '@chancery/event-store';
import { ChangeFollowUpCommand, CreateFollowUpCommand, type FollowUpChange, followUpDefinition, FollowUpsQuery, type Owner } from '@chancery/follow-ups';
import { Ctx } from '@chancery/http';
import type { Principal } from '@chancery/identity';
import { CurrentUser, RequirePermission } from '../auth/access.decorators.js';
import { CommentRequest, CreateFollowUpRequest, FollowUpAtQuery, ListFollowUpsQuery, OutcomeRequest, OwnerDto, PatchFollowUpRequest, ReasonRequest } from './follow-ups.request.dto.js';

const uuid = new ParseUUIDPipe({ version: '4' });

function toOwner(owner: OwnerDto): Owner {
  if ((owner.office === undefined) === (owner.post === undefined)) {
    throw new ChanceryError(ErrorCode.ValidationFailed, 'owner is either {"office": …} or {"post": …}', { errors: [{ field: 'owner', message: 'give an office or a post' }] });
  }
  return owner.office !== undefined ? { office: owner.office } : { post: owner.post! };
}

@ApiTags('follow-ups')
@ApiBearerAuth()
@Controller('follow-ups')
export class FollowUpsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly followUps: FollowUpsQuery,
    private readonly store: EventStore,
    private readonly repositories: AggregateRepositoryFactory,
  ) {}

  @Post()
  @RequirePermission('followups.create')
  @ApiOperation({ summary: 'Open a follow-up action, owned by an office or a post' })
  create(@Body() body: CreateFollowUpRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    const links = { demarcheId: body.demarcheId ?? null, post: body.post ?? null, cableId: body.cableId ?? null };
    return this.commands.execute(new CreateFollowUpCommand(ctx, user, { title: body.title, description: body.description ?? '', owner: toOwner(body.owner), dueOn: body.dueOn, links }));
  }

  @Get()
  @RequirePermission('followups.read')
  list(@Query() query: ListFollowUpsQuery) {
    const { limit, offset, ...filter } = query;
    return this.followUps.list(filter, limit, offset);
  }

  // Declared before ':id', which would otherwise take "export.csv" for an id.
  @Get('export.csv')
  @RequirePermission('exports.read')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="follow-ups.csv"')
  @ApiOperation({ summary: 'Every follow-up matching the filters, as RFC 4180 CSV' })
  async export(@Query() query: ListFollowUpsQuery) {
    const { limit: _limit, offset: _offset, ...filter } = query;
    const { items } = await this.followUps.list(filter, 100_000, 0);
    const rows = items.map((f) => ({
      id: f.id,
      title: f.title,
      owner: 'office' in f.owner ? f.owner.office : f.owner.post,
      bureau: f.ownerBureau,
      dueOn: f.dueOn,
      status: f.status,
      overdue: f.overdue ? 'yes' : 'no',
      escalatedTo: f.escalatedTo ?? '',
      demarcheId: f.demarcheId ?? '',
      post: f.post ?? '',
      outcome: f.outcome ?? f.cancelReason ?? '',
    }));
    return stringify(rows, { header: true, columns: ['id', 'title', 'owner', 'bureau', 'dueOn', 'status', 'overdue', 'escalatedTo', 'demarcheId', 'post', 'outcome'] });
  }

  @Get(':id')
  @RequirePermission('followups.read')
  async get(@Param('id', uuid) id: string, @Query() at: FollowUpAtQuery) {
    if (at.version !== undefined) return this.asItStood(id, at.version);
    const followUp = await this.followUps.get(id);
    if (!followUp) throw new ChanceryError(ErrorCode.NotFound, `No follow-up ${id}`);
    const events = await this.store.readStream(`followup-${id}`);
    const history = events.map((e) => ({ version: e.streamVersion, type: e.type, at: e.recordedAt.toISOString(), actor: e.metadata.actorId ?? null, data: e.data }));
    return { ...followUp, history };
  }

  @Patch(':id')
  @RequirePermission('followups.read')
  patch(@Param('id', uuid) id: string, @Body() body: PatchFollowUpRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.change(ctx, user, id, { kind: 'patch', title: body.title, description: body.description, owner: body.owner && toOwner(body.owner), dueOn: body.dueOn });
  }

  @Post(':id/start')
  @RequirePermission('followups.read')
  start(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.change(ctx, user, id, { kind: 'start' });
  }

  @Post(':id/complete')
  @RequirePermission('followups.read')
  complete(@Param('id', uuid) id: string, @Body() body: OutcomeRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.change(ctx, user, id, { kind: 'complete', outcome: body.outcome });
  }

  @Post(':id/cancel')
  @RequirePermission('followups.read')
  cancel(@Param('id', uuid) id: string, @Body() body: ReasonRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.change(ctx, user, id, { kind: 'cancel', reason: body.reason });
  }

  @Post(':id/comments')
  @RequirePermission('followups.read')
  comment(@Param('id', uuid) id: string, @Body() body: CommentRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.change(ctx, user, id, { kind: 'comment', text: body.text });
  }

  private change(ctx: CommandContext, user: Principal, id: string, change: FollowUpChange) {
    return this.commands.execute(new ChangeFollowUpCommand(ctx, user, id, change));
  }

  /** The follow-up folded from its events up to `version`: what it was then, not what it is now. */
  private async asItStood(id: string, version: number) {
    const followUp = await this.repositories.for(followUpDefinition).load(id, { version });
    if (!followUp) throw new ChanceryError(ErrorCode.NotFound, `No follow-up ${id}`);
    if (followUp.version < version) throw new ChanceryError(ErrorCode.NotFound, `Follow-up ${id} has no version ${version}; it is at ${followUp.version}`);
    const { title, description, owner, ownerBureau, dueOn, status, outcome, cancelReason, comments, overdueSince, escalatedTo, links, createdBy } = followUp;
    return { id, version, title, description, owner, ownerBureau, dueOn, status, outcome, cancelReason, comments, overdueSince, escalatedTo, ...links, createdBy: createdBy.username };
  }
}
