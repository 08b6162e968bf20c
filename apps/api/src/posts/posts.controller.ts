import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChanceryError, type CommandContext, ErrorCode } from '@chancery/common';
import { collectiveCodeParam, CreatesRecordAt, Ctx, nothingToChange, postCodeParam } from '@chancery/http';
import { ChangePostCommand, EstablishPostCommand, type PostChange, PostsQuery } from '@chancery/posts';
import { RequirePermission } from '../auth/access.decorators.js';
import { ChangePostRequest, EstablishPostRequest, ListPostsQuery, PostReasonRequest } from './posts.request.dto.js';

@ApiTags('posts')
@ApiBearerAuth()
@Controller()
export class PostsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly posts: PostsQuery,
  ) {}

  @Get('posts')
  @RequirePermission('posts.read')
  @ApiOperation({ summary: 'The network of posts, filtered by bureau, kind, country and status' })
  list(@Query() query: ListPostsQuery) {
    const { limit, offset, ...filter } = query;
    return this.posts.list(filter, limit, offset);
  }

  @Get('posts/:code')
  @RequirePermission('posts.read')
  async get(@Param('code', postCodeParam) code: string) {
    const post = await this.posts.get(code);
    if (!post) throw new ChanceryError(ErrorCode.NotFound, `No post ${code}`);
    return post;
  }

  @Post('posts')
  @RequirePermission('posts.manage')
  @CreatesRecordAt((post) => `/posts/${String(post.code)}`)
  @ApiOperation({ summary: 'Establish a post (admin)' })
  establish(@Body() body: EstablishPostRequest, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new EstablishPostCommand(ctx, body));
  }

  @Patch('posts/:code')
  @RequirePermission('posts.manage')
  edit(@Param('code', postCodeParam) code: string, @Body() body: ChangePostRequest, @Ctx() ctx: CommandContext) {
    return this.change(ctx, code, { kind: 'edit', ...postChanges(body) });
  }

  @Post('posts/:code/suspend')
  @HttpCode(200)
  @RequirePermission('posts.manage')
  suspend(@Param('code', postCodeParam) code: string, @Body() body: PostReasonRequest, @Ctx() ctx: CommandContext) {
    return this.change(ctx, code, { kind: 'suspend', reason: body.reason });
  }

  @Post('posts/:code/reopen')
  @HttpCode(200)
  @RequirePermission('posts.manage')
  reopen(@Param('code', postCodeParam) code: string, @Ctx() ctx: CommandContext) {
    return this.change(ctx, code, { kind: 'reopen' });
  }

  @Post('posts/:code/close')
  @HttpCode(200)
  @RequirePermission('posts.manage')
  close(@Param('code', postCodeParam) code: string, @Body() body: PostReasonRequest, @Ctx() ctx: CommandContext) {
    return this.change(ctx, code, { kind: 'close', reason: body.reason });
  }

  @Get('collectives')
  @RequirePermission('posts.read')
  @ApiOperation({ summary: 'ALDAC, ALLDP and the regional collectives, with the open posts each holds' })
  async collectives() {
    const items = await this.posts.collectives();
    return { items, total: items.length };
  }

  @Get('collectives/:code')
  @RequirePermission('posts.read')
  async collective(@Param('code', collectiveCodeParam) code: string) {
    const collective = await this.posts.collective(code);
    if (!collective) throw new ChanceryError(ErrorCode.NotFound, `No collective ${code}`);
    return collective;
  }

  private change(ctx: CommandContext, code: string, change: PostChange) {
    return this.commands.execute(new ChangePostCommand(ctx, code, change));
  }
}

/** A PATCH's changes: only the fields present (a `null` name is refused by the DTO), and at least one. */
function postChanges(body: ChangePostRequest): { name?: string; chiefOfMission?: string | null } {
  if (body.name === undefined && body.chiefOfMission === undefined) {
    throw nothingToChange(['name', 'chiefOfMission']);
  }
  return { ...(body.name !== undefined && { name: body.name }), ...(body.chiefOfMission !== undefined && { chiefOfMission: body.chiefOfMission }) };
}
