/**
 * The console's entry point: the page frame (navigation, log out) and the routing of hash
 * addresses to views. Loaded by index.html as an ES module; there is no bundler.
 */
import { clearToken, getToken, whenUnauthorized } from './api.js';
import { el, notice, replace } from './dom.js';
import { currentRoute, navigate, type Cleanup, type View } from './router.js';
import { renderBatch } from './view-batch.js';
import { renderDashboard } from './view-dashboard.js';
import { renderLogin } from './view-login.js';
import { renderNewProfile } from './view-new.js';
import { renderProfile } from './view-profile.js';
import { renderProfiles } from './view-profiles.js';
import { renderRuns } from './view-runs.js';
import { renderSources } from './view-sources.js';

const NAV: readonly { readonly hash: string; readonly label: string; readonly section: string }[] = [
  { hash: '#/profiles', label: 'Profiles', section: 'profiles' },
  { hash: '#/new', label: 'New from sample', section: 'new' },
  { hash: '#/runs', label: 'Runs', section: 'runs' },
  { hash: '#/sources', label: 'Sources', section: 'sources' },
  { hash: '#/dashboard', label: 'Dashboard', section: 'dashboard' },
];

/** The view of the first path segment; `batches` belongs to the runs section. */
function viewOf(section: string | undefined, hasId: boolean): View | undefined {
  switch (section) {
    case undefined:
    case 'profiles':
      return hasId ? renderProfile : renderProfiles;
    case 'new':
      return renderNewProfile;
    case 'runs':
      return renderRuns;
    case 'batches':
      return renderBatch;
    case 'sources':
      return renderSources;
    case 'dashboard':
      return renderDashboard;
    default:
      return undefined;
  }
}

const app = document.getElementById('app') ?? document.body;
const nav = el('nav', { 'aria-label': 'Console sections' });
const main = el('main', { id: 'view', tabindex: '-1' });
let cleanup: Cleanup | undefined;
let showingLogin = false;

function stopView(): void {
  cleanup?.();
  cleanup = undefined;
}

function showLogin(reason?: string): void {
  stopView();
  showingLogin = true;
  nav.hidden = true;
  renderLogin(main, () => {
    showingLogin = false;
    render();
  }, reason);
}

function render(): void {
  if (getToken() === null) {
    showLogin();
    return;
  }
  stopView();
  showingLogin = false;
  nav.hidden = false;
  const route = currentRoute();
  const section = route.path[0] === 'batches' ? 'runs' : (route.path[0] ?? 'profiles');
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const view = viewOf(route.path[0], route.path.length > 1);
  if (view === undefined) {
    replace(main, notice('error', 'There is no such page here. '), el('a', { href: '#/profiles' }, 'Go to the profiles'));
    return;
  }
  main.replaceChildren();
  cleanup = view(main, route) ?? undefined;
}

function logOut(): void {
  clearToken();
  showLogin('You are logged out.');
}

replace(nav,
  el('span', { class: 'brand' }, 'ferry'),
  el('ul', {}, NAV.map((n) => el('li', {}, el('a', { href: n.hash, 'data-section': n.section }, n.label)))),
  el('button', { type: 'button', class: 'secondary', onclick: logOut }, 'Log out'));
replace(app, el('header', {}, nav), main);

whenUnauthorized(() => {
  // the login form checks the token itself and says what went wrong
  if (!showingLogin) showLogin('The daemon refused the token; log in again.');
});
window.addEventListener('hashchange', render);
if (location.hash === '') navigate('#/profiles');
else render();
