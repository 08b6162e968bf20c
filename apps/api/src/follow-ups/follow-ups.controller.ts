import { Body, Controller, Get, Header, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChanceryError, type CommandContext, ErrorCode } from '@chancery/common';
import { ChangeFollowUpCommand, CreateFollowUpCommand, type FollowUpChange, FollowUpReader, FollowUpsQuery, type Owner } from '@chancery/follow-ups';
import { CreatesRecordAt, Ctx, nothingToChange, UuidPipe } from '@chancery/http';
import type { Principal } from '@chancery/identity';
import { AnswersRecord, CurrentUser, ReadsRecord, RequirePermission } from '../auth/access.decorators.js';
import { CommentRequest, CreateFollowUpRequest, FollowUpAtQuery, FollowUpFilterQuery, ListFollowUpsQuery, OutcomeRequest, OwnerDto, PatchFollowUpRequest, FollowUpReasonRequest } from './follow-ups.request.dto.js';

const uuid = new UuidPipe();

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
    private readonly reader: FollowUpReader,
  ) {}

  @Post()
  @RequirePermission('followups.create')
  @AnswersRecord('followup')
  @CreatesRecordAt((followUp) => `/follow-ups/${String(followUp.id)}`)
  @ApiOperation({ summary: 'Open a follow-up action, owned by an office or a post' })
  create(@Body() body: CreateFollowUpRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    const links = { demarcheId: body.demarcheId ?? null, post: body.post ?? null, cableId: body.cableId ?? null, ...(body.response !== undefined ? { response: body.response } : {}) };
    return this.commands.execute(
      new CreateFollowUpCommand(ctx, user, { title: body.title, description: body.description ?? '', owner: toOwner(body.owner), dueOn: body.dueOn, links, classification: body.classification ?? 'UNCLASSIFIED' }),
    );
  }

  @Get()
  @RequirePermission('followups.read')
  list(@Query() query: ListFollowUpsQuery, @CurrentUser() user: Principal, @Req() request: Request) {
    const { limit, offset, ...filter } = query;
    return this.followUps.list(user, filter, limit, offset, String(request.id));
  }

  // Declared before ':id', which would otherwise take "export.csv" for an id.
  @Get('export.csv')
  @RequirePermission('exports.read')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="follow-ups.csv"')
  @ApiOperation({ summary: 'Every follow-up matching the filters, as RFC 4180 CSV' })
  export(@Query() filter: FollowUpFilterQuery, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.reader.exportCsv(user, filter, String(request.id));
  }

  @Get(':id')
  @ReadsRecord('followup')
  @RequirePermission('followups.read')
  get(@Param('id', uuid) id: string, @Query() at: FollowUpAtQuery, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.reader.get(user, id, at.version, String(request.id));
  }

  @Patch(':id')
  @ReadsRecord('followup')
  @RequirePermission('followups.read')
  patch(@Param('id', uuid) id: string, @Body() body: PatchFollowUpRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    // A patch that names nothing to change is said to, as a post's is: not a 200 that changed nothing.
    if (body.title === undefined && body.description === undefined && body.owner === undefined && body.dueOn === undefined && body.classification === undefined) {
      throw nothingToChange(['title', 'description', 'owner', 'dueOn']);
    }
    return this.change(ctx, user, id, { kind: 'patch', title: body.title, description: body.description === null ? '' : body.description, owner: body.owner && toOwner(body.owner), dueOn: body.dueOn, classification: body.classification });
  }

  @Post(':id/start')
  @ReadsRecord('followup')
  @RequirePermission('followups.read')
  start(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.change(ctx, user, id, { kind: 'start' });
  }

  @Post(':id/complete')
  @ReadsRecord('followup')
  @RequirePermission('followups.read')
  complete(@Param('id', uuid) id: string, @Body() body: OutcomeRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.change(ctx, user, id, { kind: 'complete', outcome: body.outcome, classification: body.classification });
  }

  @Post(':id/cancel')
  @ReadsRecord('followup')
  @RequirePermission('followups.read')
  cancel(@Param('id', uuid) id: string, @Body() body: FollowUpReasonRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.change(ctx, user, id, { kind: 'cancel', reason: body.reason, classification: body.classification });
  }

  @Post(':id/comments')
  @ReadsRecord('followup')
  @RequirePermission('followups.read')
  comment(@Param('id', uuid) id: string, @Body() body: CommentRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.change(ctx, user, id, { kind: 'comment', text: body.text, classification: body.classification });
  }

  private change(ctx: CommandContext, user: Principal, id: string, change: FollowUpChange) {
    return this.commands.execute(new ChangeFollowUpCommand(ctx, user, id, change));
  }
}
