import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthService, type Principal } from '@chancery/identity';
import { CurrentUser, Public } from './access.decorators.js';
import { LoginRequest } from './login.request.dto.js';

@ApiTags('identity')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a username and password for a bearer token (failed attempts are rate-limited)' })
  login(@Body() body: LoginRequest, @Req() request: Request) {
    return this.auth.login(body.username, body.password, request.ip ?? 'unknown', String(request.id));
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The caller' })
  me(@CurrentUser() user: Principal & { displayName: string }) {
    return { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles, office: user.office, postCode: user.postCode, clearance: user.clearance };
  }
}
