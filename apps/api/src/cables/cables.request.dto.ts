import { OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, MaxLength, Min, MinLength, ValidateIf, ValidateNested,
} from 'class-validator';
import {
  CABLE_KINDS, CAPTIONS, type Caption, type CableKind, DECLASSIFICATION_EXEMPTIONS, type DeclassificationExemption, PORTION_MARKINGS, type PortionMarking,
  type Precedence, PRECEDENCES, SCOPE_POST_KINDS,
} from '@chancery/cables';
import { CLASSIFICATIONS, type Classification } from '@chancery/identity';
import { InCapitals, IsInstant, NotGivenWith, OnlyWith, recordId, WholeNumberParameter } from '@chancery/http';
import { PagingQuery } from '../common/paging.request.dto.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CODE = /^[A-Z_]{2,24}$/;
/** `me`, or a user's id as `recordId` reads it (lower case). */
const DRAFTER = /^(me|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export class ParagraphDto {
  @IsIn(PORTION_MARKINGS)
  marking: PortionMarking;

  @IsString()
  @MaxLength(20_000)
  text: string;
}

export class ReferenceDto {
  @Matches(/^[A-Z]$/, { message: 'label must be one capital letter' })
  label: string;

  @IsString()
  @MaxLength(40)
  mrn: string;
}

export class ClassifiedByDto {
  @IsString() @MinLength(1) @MaxLength(120) name: string;
  @IsString() @MinLength(1) @MaxLength(120) title: string;
  @IsString() @MinLength(1) @MaxLength(40) office: string;
  @IsArray() @ArrayMaxSize(8) @IsString({ each: true }) reasons: string[];
  /** YYYY-MM-DD, or the event on which the information is declassified. */
  @IsString() @MinLength(3) @MaxLength(200) declassifyOn: string;
  /** A derivative classification's source, instead of reasons. */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(300) derivedFrom?: string;
  /** An EO 13526 section 3.3 exemption (25X1 to 25X9, 50X1-HUM, 50X2-WMD). */
  @IsOptional() @IsIn(DECLASSIFICATION_EXEMPTIONS) exemption?: DeclassificationExemption;
}

export class DemarcheScopeDto {
  @IsOptional() @IsArray() @ArrayMaxSize(4) @IsIn(SCOPE_POST_KINDS, { each: true }) kinds?: (typeof SCOPE_POST_KINDS)[number][];
  @IsOptional() @IsArray() @ArrayMaxSize(300) @Matches(CODE, { each: true, message: 'each post is a post code' }) posts?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(300) @Matches(CODE, { each: true, message: 'each post is a post code' }) excludePosts?: string[];
}

export class DemarcheDto {
  @Matches(DATE, { message: 'reportBy must be YYYY-MM-DD' }) reportBy: string;
  @IsString() @MaxLength(500) targets: string;
  @IsArray() @ArrayMaxSize(100) @IsInt({ each: true }) @Min(1, { each: true }) points: number[];
  /** Which addressed posts it tasks (absent: every open action post). */
  @IsOptional() @IsObject() @ValidateNested() @Type(() => DemarcheScopeDto) scope?: DemarcheScopeDto;
}

export class DraftCableRequest {
  @IsIn(CABLE_KINDS) kind: CableKind;
  @IsString() @MaxLength(200) subject: string;
  /** The subject line's portion marking; (U) when absent. */
  @IsOptional() @IsIn(PORTION_MARKINGS) subjectMarking?: PortionMarking;
  @IsIn(CLASSIFICATIONS) classification: Classification;
  @IsOptional() @IsArray() @IsIn(CAPTIONS, { each: true }) captions?: Caption[];
  @IsIn(PRECEDENCES) precedence: Precedence;
  @IsArray() @ArrayMaxSize(30) @IsString({ each: true }) tags: string[];
  @IsArray() @ArrayMaxSize(300) @Matches(CODE, { each: true, message: 'each addressee is a post or collective code' }) actionAddressees: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(300) @Matches(CODE, { each: true, message: 'each addressee is a post or collective code' }) infoAddressees?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(26) @IsObject({ each: true }) @ValidateNested({ each: true }) @Type(() => ReferenceDto) references?: ReferenceDto[];
  @IsArray() @ArrayMaxSize(200) @IsObject({ each: true }) @ValidateNested({ each: true }) @Type(() => ParagraphDto) paragraphs: ParagraphDto[];
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ClassifiedByDto) classifiedBy?: ClassifiedByDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => DemarcheDto) demarche?: DemarcheDto;
}

/** A patch of classifiedBy: any of its members; merged into the block the cable has, it must be whole. */
export class ClassifiedByPatch extends PartialType(ClassifiedByDto) {}

/** A patch of the demarche (and of its scope): any of their members; merged, it must be whole. */
export class DemarchePatch extends PartialType(DemarcheDto) {}

/**
 * PATCH as a JSON Merge Patch (RFC 7396): the members present change, `null` removes one, and an
 * object (classifiedBy, demarche, demarche.scope) merges member by member; arrays replace. This
 * checks the patch's shape only: the merged draft must then pass what a new draft passes
 * (`DraftCableRequest`), so `null` clears an optional field and is refused on a required one. No
 * field has a default here: a default would overwrite what the patch leaves out (a one-field edit
 * once wiped captions this way).
 */
export class EditCableRequest extends PartialType(OmitType(DraftCableRequest, ['classifiedBy', 'demarche'] as const)) {
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ClassifiedByPatch) classifiedBy?: ClassifiedByPatch | null;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => DemarchePatch) demarche?: DemarchePatch | null;
}

/** Office symbols are read in any case, as the routes that name one in the path read them (`DELETE …/clearance-requests/l`). */
export class ClearanceRequestsRequest {
  @IsArray() @ArrayMaxSize(30) @IsString({ each: true }) @Transform(({ value }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.toUpperCase() : v)) : value)) offices: string[];
}

export class ClearanceDecisionRequest {
  @IsString() @MaxLength(40) @InCapitals() office: string;
  @IsIn(['CLEARED', 'CLEARED_WITH_COMMENTS', 'NON_CONCUR']) decision: 'CLEARED' | 'CLEARED_WITH_COMMENTS' | 'NON_CONCUR';
  @IsOptional() @IsString() @MaxLength(5000) comments?: string;
}

export class ReasonRequest {
  @IsString() @MinLength(1) @MaxLength(2000) reason: string;
}

export class CableAtQuery {
  @IsOptional() @WholeNumberParameter(1, 1_000_000) version?: number;
  @IsOptional() @IsInstant('asOf') @NotGivenWith('version') asOf?: Date;
}

export class ListCablesQuery extends PagingQuery {
  @IsOptional() @IsIn(['DRAFT', 'IN_CLEARANCE', 'PENDING_APPROVAL', 'APPROVED', 'RELEASED', 'CANCELLED']) status?: string;
  @IsOptional() @InCapitals() @Matches(/^[A-Z]{3,24}$/, { message: 'origin must be a post code such as BEIJING' }) origin?: string;
  @IsOptional() @InCapitals() @Matches(/^[A-Z][A-Z0-9-]{1,7}$/, { message: 'tag must be a TAG such as PREL' }) tag?: string;
  /** Words to search for: given empty it would match nothing, as `tag=` names no tag (both `400`). */
  @IsOptional() @IsString() @MaxLength(200) @Matches(/\S/, { message: 'q must hold a word to search for' }) q?: string;
  /** Cables that cite this MRN among their references (`26 STATE 000123`, or compact `26STATE123`). */
  @IsOptional() @IsString() @MaxLength(40) @Matches(/\S/, { message: 'ref must be an MRN, full or compact' }) ref?: string;
  /** Released cables that went to this post (`role`: as an action or an info addressee; either when absent). */
  @IsOptional() @InCapitals() @Matches(/^[A-Z_]{2,24}$/, { message: 'addressee must be a post code such as BEIJING' }) addressee?: string;
  @IsOptional() @IsIn(['action', 'info']) @OnlyWith('addressee', 'addressee=BEIJING&role=action') role?: 'action' | 'info';
  /** The cables this user drafted: `me` (the caller), or a user's id (in any case). */
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' ? (recordId(value) ?? (value.toLowerCase() === 'me' ? 'me' : value)) : value))
  @Matches(DRAFTER, { message: 'drafter must be me or a user id' }) drafter?: string;
}
