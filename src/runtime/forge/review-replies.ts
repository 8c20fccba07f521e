/**
 * The review/fix loop's requests and where their answers go. On the forge port: a forge that has
 * review threads (GitHub) answers there, whichever run ends the fix.
 */

/** One change a reviewer asked for: a review, a review comment, or a `fix` command. */
export interface ChangeRequest {
  /**
   * Stable across redeliveries: `review-comment:<id>`, `review:<id>`, `comment:<id>`. A request
   * whose id a fix already handled starts nothing.
   */
  id: string;
  text: string;
  path?: string | null;
  line?: number | null;
  author?: string | null;
  /** The review comment to answer in its thread; null: answer on the PR itself. */
  replyTo?: number | null;
}

/** Where the answers go: the review thread of a review comment, or the PR's conversation. */
export interface ReviewReplies {
  reply(pr: number, request: ChangeRequest, body: string): Promise<void>;
  /** Resolves the review thread a request opened (`replyTo`), once its fix is in. */
  resolve?(pr: number, request: ChangeRequest): Promise<void>;
}
