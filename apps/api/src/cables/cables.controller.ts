import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  ApproveCableCommand, type CableDraft, CableReader, CablesQuery, CancelCableCommand, DecideClearanceCommand, DraftCableCommand, type DraftPatch, EditCableCommand,
  ReleaseCableCommand, RequestClearancesCommand, ReturnCableCommand, SubmitCableCommand, WithdrawClearanceRequestCommand,
} from '@chancery/cables';
import { ChanceryError, type CommandContext, ErrorCode } from '@chancery/common';
import { HistoryQuery } from '../common/paging.request.dto.js';
import { DemarchesQuery } from '@chancery/demarches';
import { CapitalCodePipe, CreatesRecordAt, createValidationPipe, Ctx, UuidPipe } from '@chancery/http';
import type { Principal } from '@chancery/identity';
import { CABLE_ACTION_PERMISSIONS, hasPermission, OFFICE_PATTERN } from '@chancery/identity/domain';
import { AnswersRecord, CurrentUser, ReadsRecord, RequirePermission } from '../auth/access.decorators.js';
import {
  CableAtQuery, ClearanceDecisionRequest, ClearanceRequestsRequest, DraftCableRequest, EditCableRequest, ListCablesQuery, ReasonRequest,
} from './cables.request.dto.js';

const uuid = new UuidPipe();
/** An office's symbol in a path, in any case: one that could be no symbol (`..`, a space) is a 400, not "was not asked". */
const officeParam = new CapitalCodePipe(OFFICE_PATTERN, 'an office symbol such as EAP/CM (its slash sent as %2F)');

function toDraft(body: DraftCableRequest): CableDraft {
  return {
    ...(body as Omit<DraftCableRequest, 'captions' | 'infoAddressees' | 'references'>),
    captions: body.captions ?? [],
    infoAddressees: body.infoAddressees ?? [],
    references: body.references ?? [],
    classifiedBy: body.classifiedBy ?? null,
    demarche: body.demarche ?? null,
  } as CableDraft;
}

/**
 * What POST /cables checks, run on a patched draft: the same pipe, then the same defaults. The draft
 * is the merged object itself (the pipe refuses any member it does not know, and transforms none):
 * what the patch left alone stays as stored, so that comparing it with the draft before finds only
 * what changed.
 */
const wholeDraft = createValidationPipe();
async function checkedDraft(merged: object, patch: object = {}): Promise<CableDraft> {
  await wholeDraft.transform(removedAsSent(merged, patch), { type: 'body', metatype: DraftCableRequest });
  return toDraft(merged as DraftCableRequest);
}

const isMember = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The merged draft with each field the patch removed (`null`) put back as sent, at any depth
 * (`classifiedBy.reasons`, `demarche.scope.posts`): one a draft needs is then said to be null (the
 * pipe's rule for every body), not refused by the type rules its absence breaks.
 */
function removedAsSent(merged: object, patch: object): object {
  const judged: Record<string, unknown> = { ...merged };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) judged[field] = null;
    else if (isMember(value) && isMember(judged[field])) judged[field] = removedAsSent(judged[field], value);
  }
  return judged;
}

/**
 * The merge patch as sent. A DTO instance has every declared field (undefined when absent: ES2022
 * class fields), and an undefined member is no member of a merge patch: the JSON round trip drops
 * them and keeps every `null`.
 */
export function toPatch(body: EditCableRequest): DraftPatch {
  return JSON.parse(JSON.stringify(body)) as DraftPatch;
}

@ApiTags('cables')
@ApiBearerAuth()
@Controller('cables')
export class CablesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly reader: CableReader,
    private readonly cables: CablesQuery,
    private readonly demarches: DemarchesQuery,
  ) {}

  @Post()
  @RequirePermission('cables.draft')
  @AnswersRecord('cable')
  @CreatesRecordAt((cable) => `/cables/${String(cable.id)}`)
  @ApiOperation({ summary: 'Draft a cable (drafters for the Department, post officers for their post)' })
  draft(@Body() body: DraftCableRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new DraftCableCommand(ctx, user, toDraft(body)));
  }

  @Get()
  @RequirePermission('cables.read')
  @ApiOperation({ summary: 'List and search the cables the caller may read' })
  list(@Query() query: ListCablesQuery, @CurrentUser() user: Principal, @Req() request: Request) {
    const { limit, offset, ...filter } = query;
    return this.cables.list(user, filter, limit, offset, String(request.id));
  }

  @Get(':id')
  @ReadsRecord('cable')
  @RequirePermission('cables.read')
  async get(@Param('id', uuid) id: string, @Query() at: CableAtQuery, @CurrentUser() user: Principal, @Req() request: Request) {
    const view = await this.reader.get(user, id, at, String(request.id));
    // A released instruction's campaign, for a reader who may read campaigns: its id and counts,
    // so that the cable's page links to it without reading every delivery. As it stands now, or
    // `asOf` as it stood then (replayed from the events, as the dashboard's past is). A released
    // cable's version is its last: `?version=` of it is the cable as it is, its campaign as it is now.
    const opened = view.status === 'RELEASED' && view.kind === 'INSTRUCTION' && hasPermission(user, 'demarches.read').allowed;
    const summary = !opened ? undefined : at.asOf ? await this.demarches.campaignSummaryAsOf(id, at.asOf) : await this.demarches.campaignSummary(id);
    return { ...view, campaign: summary ?? null };
  }

  @Get(':id/history')
  @ReadsRecord('cable')
  @RequirePermission('cables.read')
  history(@Param('id', uuid) id: string, @Query() page: HistoryQuery, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.reader.history(user, id, String(request.id), page);
  }

  @Get(':id/telegram')
  @ReadsRecord('cable')
  @RequirePermission('cables.read')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  telegram(@Param('id', uuid) id: string, @Query() at: CableAtQuery, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.reader.telegram(user, id, at, String(request.id));
  }

  @Patch(':id')
  @ReadsRecord('cable')
  @RequirePermission(CABLE_ACTION_PERMISSIONS.edit)
  @ApiOperation({ summary: 'Edit as a JSON Merge Patch: the drafter; a clearer of an office asked; the approver of a submitted cable' })
  edit(@Param('id', uuid) id: string, @Body() body: EditCableRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    const patch = toPatch(body);
    // A patch that names nothing to change is said to, as a follow-up's and a post's are.
    if (Object.keys(patch).length === 0) {
      throw new ChanceryError(ErrorCode.ValidationFailed, 'Nothing to change: name at least one field of the draft', { errors: [{ field: '(body)', message: 'a merge patch naming at least one field of the draft is required' }] });
    }
    return this.commands.execute(new EditCableCommand(ctx, user, id, patch, (merged: object) => checkedDraft(merged, patch)));
  }

  @Post(':id/clearance-requests')
  @ReadsRecord('cable')
  @HttpCode(200)
  @RequirePermission(CABLE_ACTION_PERMISSIONS.requestClearance)
  @ApiOperation({ summary: 'Ask offices to clear; asking again for a STALE or NON_CONCUR office puts it back to PENDING' })
  requestClearances(@Param('id', uuid) id: string, @Body() body: ClearanceRequestsRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new RequestClearancesCommand(ctx, user, id, body.offices));
  }

  @Delete(':id/clearance-requests/:office')
  @ReadsRecord('cable')
  @RequirePermission(CABLE_ACTION_PERMISSIONS.withdrawClearance)
  @ApiOperation({ summary: 'Withdraw a pending or non-concurring clearance request (the office symbol URL-encoded: EAP%2FCM)' })
  withdrawClearanceRequest(@Param('id', uuid) id: string, @Param('office', officeParam) office: string, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new WithdrawClearanceRequestCommand(ctx, user, id, office));
  }

  @Post(':id/clearances')
  @ReadsRecord('cable')
  @HttpCode(200)
  @RequirePermission(CABLE_ACTION_PERMISSIONS.clear)
  @ApiOperation({ summary: 'Clear for your office (also re-clearing a STALE clearance before submission)' })
  clear(@Param('id', uuid) id: string, @Body() body: ClearanceDecisionRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new DecideClearanceCommand(ctx, user, id, body.office, body.decision, body.comments ?? null));
  }

  @Post(':id/submit')
  @ReadsRecord('cable')
  @HttpCode(200)
  @RequirePermission(CABLE_ACTION_PERMISSIONS.submit)
  submit(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new SubmitCableCommand(ctx, user, id));
  }

  @Post(':id/approve')
  @ReadsRecord('cable')
  @HttpCode(200)
  @RequirePermission(CABLE_ACTION_PERMISSIONS.approve)
  approve(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new ApproveCableCommand(ctx, user, id));
  }

  @Post(':id/return')
  @ReadsRecord('cable')
  @HttpCode(200)
  @RequirePermission(CABLE_ACTION_PERMISSIONS.return)
  return(@Param('id', uuid) id: string, @Body() body: ReasonRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new ReturnCableCommand(ctx, user, id, body.reason));
  }

  @Post(':id/release')
  @ReadsRecord('cable')
  @HttpCode(200)
  @RequirePermission(CABLE_ACTION_PERMISSIONS.release)
  release(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new ReleaseCableCommand(ctx, user, id));
  }

  @Post(':id/cancel')
  @ReadsRecord('cable')
  @HttpCode(200)
  @RequirePermission(CABLE_ACTION_PERMISSIONS.cancel)
  cancel(@Param('id', uuid) id: string, @Body() body: ReasonRequest, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new CancelCableCommand(ctx, user, id, body.reason));
  }
}
