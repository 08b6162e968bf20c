/**
 * What identity needs to know about posts: whether a code names an open post. The posts library
 * provides it; identity only declares it, so that the two do not depend on each other.
 */
export abstract class PostDirectory {
  abstract isOpen(code: string): Promise<boolean>;
  /** Which of `codes` name a post (open, suspended or closed), in one read. */
  abstract existing(codes: readonly string[]): Promise<string[]>;
}
