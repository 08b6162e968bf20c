import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChanceryError, type CommandContext, ErrorCode } from '@chancery/common';
import { EventStore } from '@chancery/event-store';
import { ChangeFollowUpCommand, CreateFollowUpCommand, type FollowUpChange, FollowUpsQuery, type Owner } from '@chancery/follow-ups';
import { Ctx } from '@chancery/http';
import type { Principal } from '@chancery/identity';
import { CurrentUser, RequirePermission } from '../auth/access.decorators.js';
import { CommentRequest, CreateFollowUpRequest, ListFollowUpsQuery, OutcomeRequest, OwnerDto, PatchFollowUpRequest, ReasonRequest } from './follow-ups.request.dto.js';

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

  @Get(':id')
  @RequirePermission('followups.read')
  async get(@Param('id', uuid) id: string) {
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
}
