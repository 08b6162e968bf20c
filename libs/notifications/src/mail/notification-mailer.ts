import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type Cable, cableDefinition, CableReader } from '@chancery/cables';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import { AggregateRepository, AggregateRepositoryFactory, type Reaction, type RecordedEvent } from '@chancery/event-store';
import { type FollowUp, followUpDefinition, FollowUpReader } from '@chancery/follow-ups';
import { principalOf, UsersQuery } from '@chancery/identity';
import { followUpMarking, highestClassification, mayReadCable, mayReadFollowUp, type Principal } from '@chancery/identity/domain';
import { emailLabel, isAddressedTo, type NotificationDraft, noticeText, notificationOf, NOTIFYING_EVENTS, recordOf } from '../domain/notification-rules.js';

/** The record as the policy and an email see it, now. */
interface Subject {
  mayRead: (principal: Principal) => boolean;
  label: string;
  path: string;
}

/**
 * The process manager that emails notifications. For each notifying event it decides, as things
 * stand when it runs, who is addressed (`isAddressedTo`: of an office or post, only those placed
 * there, in the role it is for, by the time of the event, however late the mailer runs) and may read the record now (the
 * one read policy: `mayReadCable`, `mayReadFollowUp`), and writes one row per person to the outbox
 * (`notification_emails`) in the transaction that moves its checkpoint; the `MailSender` sends them.
 * So a failure to send never stalls the feed, and an outage of the mail server loses nothing.
 * With SMTP_URL unset it writes nothing (its checkpoint still moves: turning email on later does
 * not send what happened before). A reaction: never skipped, retried, stopped at an event it cannot
 * handle until an operator redrives it.
 */
@Injectable()
export class NotificationMailer implements Reaction {
  readonly name = 'notification-mailer';
  readonly kind = 'reaction';
  readonly handles = [...NOTIFYING_EVENTS];
  private readonly cables: AggregateRepository<Cable>;
  private readonly followUps: AggregateRepository<FollowUp>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly cableReader: CableReader,
    private readonly followUpReader: FollowUpReader,
    private readonly users: UsersQuery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.cables = repositories.for(cableDefinition);
    this.followUps = repositories.for(followUpDefinition);
  }

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    if (!this.config.mail.smtpUrl) return;
    for (const event of events) await this.mail(tx, event);
  }

  private async mail(tx: EntityManager, event: RecordedEvent): Promise<void> {
    const record = recordOf(event.streamId);
    if (!record) return;
    let notice: NotificationDraft | null;
    let subject: Subject;
    if (record.type === 'cable') {
      // Named as it stood at the event (its MRN once released, its subject line then, if plain);
      // read under the policy as it stands now.
      const then = await this.cables.load(record.id, { version: event.streamVersion }, tx);
      const now = await this.cables.load(record.id, {}, tx);
      if (!then || !now) return;
      notice = notificationOf(event, { createdBy: now.drafter.id });
      const access = await this.cableReader.accessOf(now, tx);
      const draft = highestClassification(then.draft.classification, now.draft.classification) === then.draft.classification ? then.draft : now.draft;
      subject = {
        mayRead: (principal) => mayReadCable(principal, access).allowed,
        label: emailLabel({ type: 'cable', id: record.id, mrn: then.release?.mrn, title: then.draft.subject, classification: draft.classification, subjectMarking: then.draft.subjectMarking }),
        path: `#/cables/${record.id}`,
      };
    } else {
      // Who owned it when it fell due; who may read it, now.
      const then = await this.followUps.load(record.id, { version: event.streamVersion }, tx);
      const now = await this.followUps.load(record.id, {}, tx);
      if (!then || !now) return;
      notice = notificationOf(event, { createdBy: then.createdBy.id, owner: then.owner });
      const access = await this.followUpReader.access(now, tx);
      const classification = followUpMarking(access);
      subject = {
        mayRead: (principal) => mayReadFollowUp(principal, access).allowed,
        label: emailLabel({ type: 'followup', id: record.id, title: now.title, classification }),
        path: `#/follow-ups/${record.id}`,
      };
    }
    if (!notice) return;
    const candidates = await this.users.addressed(notice, tx);
    const text = noticeText(notice.kind, subject.label, notice.detail);
    const link = `${this.config.mail.appUrl}/${subject.path}`;
    for (const user of candidates) {
      const principal = principalOf(user);
      // Placed where they are now, or given the role, since after the event (joined the office, moved to the post, made its clearer): not theirs.
      if (!isAddressedTo({ ...principal, rolesSince: user.rolesSince }, notice, event.recordedAt) || !subject.mayRead(principal)) continue;
      await tx.query(
        `INSERT INTO notification_emails (event_id, user_id, to_address, subject, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ON CONSTRAINT notification_emails_once DO NOTHING`,
        [event.eventId, user.id, `${user.username}@${this.config.mail.domain}`, `Chancery: ${text}`, emailBody(text, link)],
      );
    }
  }
}

/** Plain text, and no more than the subject line says: the rest is read in the app, under the policy. */
function emailBody(text: string, link: string): string {
  return `${text}\n\nOpen it in Chancery (sign in to read it): ${link}\n\nYou get this because it is addressed to you, your office or your post in Chancery.\n`;
}
