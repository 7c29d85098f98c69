/**
 * Hash routing (`#/profiles/<id>`, `#/runs?profile=x`): the daemon serves one page at `/`, so the
 * route lives after the `#` and a reload or a shared link lands on the same view.
 */

/** The parsed route: path segments (decoded) and the query after `?`. */
export interface Route {
  readonly path: readonly string[];
  readonly query: URLSearchParams;
}

/** What a view may hand back: a function that stops its timers when the reader leaves. */
export type Cleanup = () => void;

/** A page of the console. */
export type View = (root: HTMLElement, route: Route) => Cleanup | void;

/** Parses `location.hash`. */
export function currentRoute(hash: string = location.hash): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { path, query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/** A hash link to a route, encoding each segment. */
export function href(...segments: readonly string[]): string {
  return `#/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

/** Goes to a route (a hash from `href`). */
export function navigate(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}
