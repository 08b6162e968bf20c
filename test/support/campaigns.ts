import type { INestApplication } from '@nestjs/common';
import { ProjectionRunner } from '@chancery/event-store';
import { authed } from './http.js';

/**
 * Feeds the projection runner until the campaign a release opened is there. One `catchUp` is not
 * always enough on a shared server: the feed reads below the cluster's oldest open transaction
 * (`pg_snapshot_xmin`), so another database's long transaction can hold the release back a moment.
 */
export async function awaitCampaign(app: INestApplication, token: string, campaignId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await app.get(ProjectionRunner).catchUp();
    const answer = await authed(app, token).get(`/demarches/${campaignId}`);
    if (answer.status !== 404 || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Feeds the projection runner until `post`'s delivery of the campaign is there (the campaign opener
 * is a reaction: it runs after the release commits); throws if it never comes.
 */
export async function awaitDelivery(app: INestApplication, token: string, campaignId: string, post: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    await app.get(ProjectionRunner).catchUp();
    if ((await authed(app, token).get(`/demarches/${campaignId}/deliveries/${post}`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the campaign never opened for ${post}`);
}
