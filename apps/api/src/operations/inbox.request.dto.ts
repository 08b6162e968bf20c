import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { OnlyWith, WholeNumberParameter } from '@chancery/http';
import { INBOX_DEFAULT_LIMIT, INBOX_MAX_LIMIT, INBOX_SECTIONS, type InboxSection } from '@chancery/reporting';

/**
 * The inbox: every section's first `limit` items with their totals, or one `section` paged by
 * `limit` and `offset` (an offset means something only in one section: each has its own).
 */
export class InboxRequest {
  @ApiPropertyOptional({ enum: INBOX_SECTIONS, description: 'One section, answered as {items, total}' })
  @IsOptional()
  @IsIn(INBOX_SECTIONS, { message: `section must be one of ${INBOX_SECTIONS.join(', ')}` })
  section?: InboxSection;

  @ApiPropertyOptional({ default: INBOX_DEFAULT_LIMIT, description: 'Items a section answers at most' })
  @IsOptional()
  @WholeNumberParameter(1, INBOX_MAX_LIMIT)
  limit: number = INBOX_DEFAULT_LIMIT;

  @ApiPropertyOptional({ default: 0, description: 'Where the section\'s page starts (with section only)' })
  @IsOptional()
  @OnlyWith('section', 'section=followUps&offset=50')
  // PostgreSQL's OFFSET takes a bigint, but no section is a billion long.
  @WholeNumberParameter(0, 1_000_000_000)
  offset?: number;
}
