import { addressDesignator, type Post } from '../domain/post.aggregate.js';
import type { PostView } from '../posts.query.js';

/** A command's answer: the post as it stands after the command. */
export function toPostView(post: Post): PostView {
  return { ...post.facts, status: post.status, chiefOfMission: post.chiefOfMission, addressDesignator: addressDesignator(post.facts), version: post.version };
}
