import { ApproveCableHandler } from './approve-cable/approve-cable.handler.js';
import { CancelCableHandler } from './cancel-cable/cancel-cable.handler.js';
import { DecideClearanceHandler } from './decide-clearance/decide-clearance.handler.js';
import { DraftCableHandler } from './draft-cable/draft-cable.handler.js';
import { EditCableHandler } from './edit-cable/edit-cable.handler.js';
import { ReleaseCableHandler } from './release-cable/release-cable.handler.js';
import { RequestClearancesHandler } from './request-clearances/request-clearances.handler.js';
import { ReturnCableHandler } from './return-cable/return-cable.handler.js';
import { SubmitCableHandler } from './submit-cable/submit-cable.handler.js';
import { WithdrawClearanceRequestHandler } from './withdraw-clearance-request/withdraw-clearance-request.handler.js';

/** One folder per use case: its command and its handler. */
export { ApproveCableCommand } from './approve-cable/approve-cable.command.js';
export { CancelCableCommand } from './cancel-cable/cancel-cable.command.js';
export { DecideClearanceCommand } from './decide-clearance/decide-clearance.command.js';
export { DraftCableCommand } from './draft-cable/draft-cable.command.js';
export { type DraftPatch, EditCableCommand } from './edit-cable/edit-cable.command.js';
export { ReleaseCableCommand } from './release-cable/release-cable.command.js';
export { RequestClearancesCommand } from './request-clearances/request-clearances.command.js';
export { ReturnCableCommand } from './return-cable/return-cable.command.js';
export { SubmitCableCommand } from './submit-cable/submit-cable.command.js';
export { WithdrawClearanceRequestCommand } from './withdraw-clearance-request/withdraw-clearance-request.command.js';
export type { CableAnswer } from './cable-handler.js';

export const CABLE_HANDLERS = [
  DraftCableHandler, EditCableHandler, RequestClearancesHandler, WithdrawClearanceRequestHandler, DecideClearanceHandler,
  SubmitCableHandler, ApproveCableHandler, ReturnCableHandler, ReleaseCableHandler, CancelCableHandler,
];
