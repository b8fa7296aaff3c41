// Invitations (SPEC T17): the owner invites from Settings → Members and copies the link; the invited
// person opens it and joins, a new account choosing its own name and password, an existing account
// entering its own password (which stays). An invitation made with an API key has no link until a
// signed-in admin asks for a new one; Revoke makes a link useless.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './helpers.mjs';

const { WS } = H;
let server;
let browser;
let page;

before(async () => {
  server = await H.startServer();
  ({ browser, page } = await H.openBrowser());
});

H.closeSuite(() => ({ server, browser, page }));

async function signOut() {
  await browser.context.clearCookies();
}

/** Opens Members as the owner (signing in when needed). */
async function membersPage() {
  await page.goto(`${server.url}/app/${WS}/settings/members`);
  const login = page.getByRole('button', { name: 'Log in' });
  await Promise.race([page.locator('main[data-ready="settings"]').waitFor(), login.waitFor()]);
  if (await login.count()) {
    await page.getByLabel('Email').fill(H.OWNER.email);
    await page.getByLabel('Password').fill(H.OWNER.password);
    await login.click();
    await H.ready(page, 'settings');
  }
}

async function readLink() {
  const dialog = page.locator('dialog[data-dialog="invite-link"]');
  const link = await dialog.locator('input[data-invite-link]').inputValue();
  assert.match(link, new RegExp(`^${server.url}/app/invite/[a-z0-9]+$`));
  return { dialog, link };
}

test('invite a new person in the web app; they choose their name and password and land in the workspace', async () => {
  const role = await H.rest(server, 'POST', `/${WS}/roles`, { name: 'Labeler', permissions: ['upload_images'] });
  await membersPage();
  await page.getByRole('button', { name: 'Invite member' }).click();
  const form = page.locator('dialog[data-dialog="invite-member"]');
  await form.getByLabel('Email').fill('nora@example.com');
  await form.getByLabel('Role').selectOption(role.id);
  await form.getByRole('button', { name: 'Create invitation' }).click();
  const { dialog, link } = await readLink();
  await H.screenshot(page, 'members-invite-link');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.locator('tr[data-invitation="nora@example.com"]').waitFor();
  await H.screenshot(page, 'members-pending');

  await signOut();
  await page.goto(link);
  await H.ready(page, 'invite');
  await page.getByRole('heading', { name: `Join ${WS}` }).waitFor();
  await page.getByLabel('Your name').fill('Nora Newcomer');
  await page.getByLabel('Choose a password').fill('nora password 1');
  await H.screenshot(page, 'invite-new-account');
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.waitForURL(`${server.url}/app/${WS}`);
  await H.ready(page, 'home');
  await page.locator('.user-name', { hasText: 'Nora Newcomer' }).waitFor();
  const members = await H.rest(server, 'GET', `/${WS}/members`);
  const nora = members.find((m) => m.email === 'nora@example.com');
  assert.equal(nora.status, 'active');
  assert.equal(nora.role, role.id);

  // The link worked once.
  await signOut();
  await page.goto(link);
  await H.ready(page, 'invite');
  await page.getByRole('heading', { name: 'This invitation cannot be used' }).waitFor();
});

test('an existing account joins with its own password; a key-made invitation gets its link from the Members page', async () => {
  H.bootstrap(server, 'beta');
  H.memberAdd(server, { workspace: 'beta', email: 'sam@example.com', name: 'Sam Existing', password: 'sam password 1' });
  const made = await H.rest(server, 'POST', `/${WS}/members`, { email: 'sam@example.com', role: 'member' });
  assert.equal(made.inviteUrl, undefined, 'an API key never sees the link');
  await membersPage();
  const row = page.locator('tr[data-invitation="sam@example.com"]');
  await row.getByRole('button', { name: 'Copy new link for sam@example.com' }).click();
  const { dialog, link } = await readLink();
  await dialog.getByRole('button', { name: 'Done' }).click();

  await signOut();
  await page.goto(link);
  await H.ready(page, 'invite');
  await page.getByText('already has a Limbo account').waitFor();
  await page.getByLabel('Password').fill('a password of my choosing');
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.locator('[data-invite] .alert-error', { hasText: 'not correct' }).waitFor();
  await page.getByLabel('Password').fill('sam password 1');
  await H.screenshot(page, 'invite-existing-account');
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.waitForURL(`${server.url}/app/${WS}`);
  await page.locator('.user-name', { hasText: 'Sam Existing' }).waitFor();
  await page.locator('#ws-switcher').waitFor(); // beta and acme
});

test('Revoke makes an invitation link useless', async () => {
  await signOut();
  await membersPage();
  await page.getByRole('button', { name: 'Invite member' }).click();
  const form = page.locator('dialog[data-dialog="invite-member"]');
  await form.getByLabel('Email').fill('gone@example.com');
  await form.getByRole('button', { name: 'Create invitation' }).click();
  const { dialog, link } = await readLink();
  await dialog.getByRole('button', { name: 'Done' }).click();
  const row = page.locator('tr[data-invitation="gone@example.com"]');
  await row.getByRole('button', { name: 'Revoke invitation of gone@example.com' }).click();
  await page.locator('dialog').getByRole('button', { name: 'Revoke invitation' }).click();
  await row.waitFor({ state: 'detached' });
  await signOut();
  await page.goto(link);
  await H.ready(page, 'invite');
  await page.getByRole('heading', { name: 'This invitation cannot be used' }).waitFor();
});

test('someone without a workspace sees the invitations addressed to them, and signing in joins nothing', async () => {
  H.bootstrap(server, 'gamma');
  H.memberAdd(server, { workspace: 'gamma', email: 'zed@example.com', name: 'Zed', password: 'zed password 1' });
  const owner = await fetch(`${server.url}/app/api/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: H.OWNER.email, password: H.OWNER.password }),
  });
  const cookie = owner.headers.get('set-cookie').split(';')[0];
  const { csrfToken } = await owner.json();
  const gone = await fetch(`${server.url}/gamma/members/zed@example.com`, { method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken } });
  assert.equal(gone.status, 200);
  await H.rest(server, 'POST', `/${WS}/members`, { email: 'zed@example.com', role: 'member' });
  await signOut();
  await H.login(page, server, { email: 'zed@example.com', password: 'zed password 1', path: '/app' });
  await H.ready(page, 'root');
  await page.locator('[data-my-invitations]', { hasText: WS }).waitFor();
  await H.screenshot(page, 'my-invitations');
  const members = await H.rest(server, 'GET', `/${WS}/members`);
  assert.equal(members.find((m) => m.email === 'zed@example.com').status, 'invited');
});
