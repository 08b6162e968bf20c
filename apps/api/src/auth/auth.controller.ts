import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { type CommandContext, DepartmentCalendar } from '@chancery/common';
import { ChangesNoVersionedRecord, Ctx, IgnoresIdempotencyKey } from '@chancery/http';
import { AuthService, ChangeOwnPasswordCommand, LogOutCommand, type Principal, UsersQuery } from '@chancery/identity';
import { ChangeOwnPasswordRequest } from '../users/create-user.request.dto.js';
import { CurrentUser, Public } from './access.decorators.js';
import { LoginRequest } from './login.request.dto.js';

@ApiTags('identity')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly commands: CommandBus,
    private readonly users: UsersQuery,
    private readonly calendar: DepartmentCalendar,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @IgnoresIdempotencyKey()
  @ChangesNoVersionedRecord()
  @ApiOperation({ summary: 'Exchange a username (any case) and password for a bearer token (failed attempts are rate-limited)' })
  login(@Body() body: LoginRequest, @Req() request: Request) {
    return this.auth.login(body.username, body.password, request.ip ?? 'unknown', String(request.id));
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The caller' })
  me(@CurrentUser() user: Principal & { displayName: string }) {
    return {
      id: user.id, username: user.username, displayName: user.displayName, roles: user.roles, office: user.office, postCode: user.postCode, clearance: user.clearance,
      // Whose calendar the Department's deadlines (due and report-by dates, overdue) are judged on.
      departmentTimeZone: this.calendar.timeZone,
    };
  }

  @Post('password')
  @HttpCode(200)
  @IgnoresIdempotencyKey()
  @ChangesNoVersionedRecord()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change one’s own password: every token issued before stops working; the answer carries a new one' })
  async changePassword(@Body() body: ChangeOwnPasswordRequest, @Ctx() ctx: CommandContext, @Req() request: Request) {
    await this.commands.execute(new ChangeOwnPasswordCommand(ctx, body.currentPassword, body.newPassword, request.ip ?? 'unknown'));
    return this.auth.issue((await this.users.standing(ctx.actor.id))!);
  }

  @Post('logout')
  @HttpCode(204)
  @IgnoresIdempotencyKey()
  @ChangesNoVersionedRecord()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Log out: every token the caller holds stops working' })
  async logout(@Ctx() ctx: CommandContext): Promise<void> {
    await this.commands.execute(new LogOutCommand(ctx));
  }
}
