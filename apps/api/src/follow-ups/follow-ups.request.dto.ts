import { IntersectionType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { InCapitals, IsCalendarDate, IsRecordId, SingleLine, WholeNumberParameter } from '@chancery/http';
import { BUREAU_PATTERN, type Classification, CLASSIFICATIONS, OFFICE_OR_POST_PATTERN, OFFICE_PATTERN } from '@chancery/identity/domain';
import { PagingQuery } from '../common/paging.request.dto.js';

/** An office or a post: the one given is checked, `null` too (it names no owner: `IsOptional` would let it by as absent). */
export class OwnerDto {
  @ValidateIf((owner: OwnerDto) => owner.office !== undefined) @Matches(OFFICE_PATTERN, { message: 'office must be an office symbol such as EAP/CM' }) office?: string;
  @ValidateIf((owner: OwnerDto) => owner.post !== undefined) @Matches(/^[A-Z]{3,24}$/, { message: 'post must be a post code such as BEIJING' }) post?: string;
}

export class CreateFollowUpRequest {
  @IsString() @MinLength(1) @MaxLength(200) @SingleLine() title: string;
  @IsOptional() @IsString() @MaxLength(10_000) description?: string;
  @IsObject() @ValidateNested() @Type(() => OwnerDto) owner: OwnerDto;
  @IsCalendarDate() dueOn: string;
  @IsOptional() @IsRecordId() demarcheId?: string;
  @IsOptional() @Matches(/^[A-Z]{3,24}$/, { message: 'post must be a post code such as BEIJING' }) post?: string;
  @IsOptional() @IsRecordId() cableId?: string;
  /** The number of the post's response it grows out of (with demarcheId and post): opened from a response in one request. */
  @IsOptional() @IsInt() @Min(1) @Max(10_000) response?: number;
  /** Its own classification (default UNCLASSIFIED); it is also read under what it is linked to. */
  @IsOptional() @IsIn(CLASSIFICATIONS) classification?: Classification;
}

/** Left out, a field is kept; `null` clears the description and is refused on the others, which every follow-up has. */
const present = ValidateIf((_, value) => value !== undefined);

export class PatchFollowUpRequest {
  @present @IsString() @MinLength(1) @MaxLength(200) @SingleLine() title?: string;
  @IsOptional() @IsString() @MaxLength(10_000) description?: string | null;
  @present @IsObject() @ValidateNested() @Type(() => OwnerDto) owner?: OwnerDto;
  @present @IsCalendarDate() dueOn?: string;
  /** The marking of the title or description the patch writes (see CommentRequest); refused on a patch that writes none. */
  @present @IsIn(CLASSIFICATIONS) classification?: Classification;
}

export class OutcomeRequest {
  @IsString() @MinLength(1) @MaxLength(10_000) outcome: string;
  /** The outcome's marking, as its author gives it: the follow-up is raised to it if it stands lower. */
  @present @IsIn(CLASSIFICATIONS) classification?: Classification;
}

export class FollowUpReasonRequest {
  @IsString() @MinLength(1) @MaxLength(2000) reason: string;
  /** The reason's marking, as its author gives it: the follow-up is raised to it if it stands lower. */
  @present @IsIn(CLASSIFICATIONS) classification?: Classification;
}

export class CommentRequest {
  @IsString() @MinLength(1) @MaxLength(10_000) text: string;
  /**
   * The comment's marking, as its author gives it (the web app sends the marking the follow-up was
   * shown at): the follow-up is raised to it if it stands lower. Refused above the author's
   * clearance, and above what the follow-up or its links have stood at since its creation.
   */
  @present @IsIn(CLASSIFICATIONS) classification?: Classification;
}

/** The follow-ups' filters: the export takes these alone (it answers every match, so a page is refused, not ignored). */
export class FollowUpFilterQuery {
  @IsOptional() @IsIn(['OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED']) status?: string;
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean() overdue?: boolean;
  /** An office symbol or a post code; given empty it would match nothing (a `400`, as the cables' filters). */
  @IsOptional() @InCapitals() @IsString() @MaxLength(40) @Matches(OFFICE_OR_POST_PATTERN, { message: 'owner must be an office symbol such as EAP/CM or a post code such as BEIJING' }) owner?: string;
  @IsOptional() @InCapitals() @Matches(BUREAU_PATTERN, { message: 'bureau must be a bureau such as EAP' }) bureau?: string;
  @IsOptional() @IsRecordId() demarcheId?: string;
}

/** The list: the filters, a page at a time. */
export class ListFollowUpsQuery extends IntersectionType(FollowUpFilterQuery, PagingQuery) {}

/** `?version=N`: the follow-up as it stood after its N-th event. */
export class FollowUpAtQuery {
  @IsOptional() @WholeNumberParameter(1, 1_000_000) version?: number;
}
