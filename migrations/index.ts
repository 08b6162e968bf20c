import { CreateEventStore1795910400000 } from './1795910400000-CreateEventStore.js';
import { CreateAuditLog1795910401000 } from './1795910401000-CreateAuditLog.js';
import { CreateIdempotencyKeys1795910402000 } from './1795910402000-CreateIdempotencyKeys.js';
import { CreateProjectionState1795910403000 } from './1795910403000-CreateProjectionState.js';
import { CreateIdentityAndPosts1795910404000 } from './1795910404000-CreateIdentityAndPosts.js';
import { CreateCables1795910405000 } from './1795910405000-CreateCables.js';
import { CreateDemarches1795910406000 } from './1795910406000-CreateDemarches.js';
import { CreateFollowUps1795910407000 } from './1795910407000-CreateFollowUps.js';
import { AddCampaignTallies1795910408000 } from './1795910408000-AddCampaignTallies.js';
import { AddProjectionStops1795910409000 } from './1795910409000-AddProjectionStops.js';
import { RecordEventsAtInsert1795910410000 } from './1795910410000-RecordEventsAtInsert.js';
import { AddNeedToKnowColumns1795910411000 } from './1795910411000-AddNeedToKnowColumns.js';
import { AuditMerkleLog1795910412000 } from './1795910412000-AuditMerkleLog.js';
import { AddIdentityLifecycle1795910413000 } from './1795910413000-AddIdentityLifecycle.js';
import { AddCableThreadingAndReturns1795910414000 } from './1795910414000-AddCableThreadingAndReturns.js';
import { AddDeliveryRecords1795910415000 } from './1795910415000-AddDeliveryRecords.js';
import { CreateNotificationsAndLive1795910417000 } from './1795910417000-CreateNotificationsAndLive.js';
import { AddChiefOfMission1795910418000 } from './1795910418000-AddChiefOfMission.js';
import { AddReturnLevel1795910419000 } from './1795910419000-AddReturnLevel.js';
import { AddDataRepairs1795910420000 } from './1795910420000-AddDataRepairs.js';
import { AddClearanceRequestTimes1795910421000 } from './1795910421000-AddClearanceRequestTimes.js';
import { AddFollowUpDraftText1795910422000 } from './1795910422000-AddFollowUpDraftText.js';
import { AddIdempotencyStanding1795910423000 } from './1795910423000-AddIdempotencyStanding.js';
import { AddLiveTicketSessionEnd1795910424000 } from './1795910424000-AddLiveTicketSessionEnd.js';
import { CreateLoginLimits1795910425000 } from './1795910425000-CreateLoginLimits.js';
import { ForgetUserRequestFingerprints1795910426000 } from './1795910426000-ForgetUserRequestFingerprints.js';
import { AddAccentInsensitiveSearch1795910427000 } from './1795910427000-AddAccentInsensitiveSearch.js';
import { AddUserPlacedAt1795910428000 } from './1795910428000-AddUserPlacedAt.js';
import { AddUserRolesSince1795910429000 } from './1795910429000-AddUserRolesSince.js';
import { AddIdempotencyFingerprint1795910430000 } from './1795910430000-AddIdempotencyFingerprint.js';
import { EscalationNoticesToLeadership1795910431000 } from './1795910431000-EscalationNoticesToLeadership.js';
import { NotificationOfficeRoles1795910432000 } from './1795910432000-NotificationOfficeRoles.js';

/** Every migration, in order. A landed migration is never edited: add a new one. */
export const ALL_MIGRATIONS = [
  CreateEventStore1795910400000,
  CreateAuditLog1795910401000,
  CreateIdempotencyKeys1795910402000,
  CreateProjectionState1795910403000,
  CreateIdentityAndPosts1795910404000,
  CreateCables1795910405000,
  CreateDemarches1795910406000,
  CreateFollowUps1795910407000,
  AddCampaignTallies1795910408000,
  AddProjectionStops1795910409000,
  RecordEventsAtInsert1795910410000,
  AddNeedToKnowColumns1795910411000,
  AuditMerkleLog1795910412000,
  AddIdentityLifecycle1795910413000,
  AddCableThreadingAndReturns1795910414000,
  AddDeliveryRecords1795910415000,
  CreateNotificationsAndLive1795910417000,
  AddChiefOfMission1795910418000,
  AddReturnLevel1795910419000,
  AddDataRepairs1795910420000,
  AddClearanceRequestTimes1795910421000,
  AddFollowUpDraftText1795910422000,
  AddIdempotencyStanding1795910423000,
  AddLiveTicketSessionEnd1795910424000,
  CreateLoginLimits1795910425000,
  ForgetUserRequestFingerprints1795910426000,
  AddAccentInsensitiveSearch1795910427000,
  AddUserPlacedAt1795910428000,
  AddUserRolesSince1795910429000,
  AddIdempotencyFingerprint1795910430000,
  EscalationNoticesToLeadership1795910431000,
  NotificationOfficeRoles1795910432000,
];
