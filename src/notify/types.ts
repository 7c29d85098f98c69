/** What the sender needs of a `notify` entry when it sends. */
export interface Endpoint {
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
