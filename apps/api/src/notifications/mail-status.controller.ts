import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MailSender } from '@chancery/notifications';
import { RequirePermission } from '../auth/access.decorators.js';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('admin/notifications/email')
export class MailStatusController {
  constructor(private readonly mail: MailSender) {}

  @Get()
  @RequirePermission('operations.read')
  @ApiOperation({ summary: 'Notification email: whether it is on, how many wait to be sent, and those whose last try failed (retried with backoff, never dropped) (admins)' })
  status() {
    return this.mail.status();
  }
}
