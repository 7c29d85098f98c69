/** What the sender needs of a `notify` entry when it sends. */
export interface Endpoint {
  /** the URL to send to, password included (the outbox keeps it masked); absent: the outbox's URL */
  readonly url?: string;
  readonly secret: string | undefined;
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
}

/** What one attempt came to. */
export type Attempt =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'gone' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number };
