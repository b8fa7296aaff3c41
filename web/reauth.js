// Sudo mode, as GitHub's: the server lets a session delete permanently only within a few minutes
// of entering its password, and answers `reauth_required` otherwise. withReauth() then asks for the
// password ("Confirm it's you"), re-authenticates the session and runs the action once more.
import { h } from './dom.js';
import { api, session, ApiError } from './api.js';
import { showDialog, field } from './ui.js';

/** Asks for the signed-in user's password and re-authenticates; resolves true, or null when cancelled. */
export function confirmItsYou(reason) {
  const s = session();
  const email = (s && s.user && s.user.email) || '';
  const password = h('input', {
    type: 'password', class: 'input', name: 'password', autocomplete: 'current-password', required: true, autofocus: true,
  });
  return showDialog({
    name: 'reauth',
    title: 'Confirm it’s you',
    description: h('div', {},
      h('p', {}, reason || 'Permanent deletion needs your password.'),
      email ? h('p', {}, 'Signed in as ', h('strong', {}, email), '.') : null),
    // The account name too, so that password managers offer the right password.
    content: [h('input', { type: 'email', name: 'username', autocomplete: 'username', value: email, hidden: true, readonly: true }),
      field('Password', password)],
    submitLabel: 'Confirm',
    onSubmit: async () => {
      if (!password.value) throw new Error('Enter your password.');
      try {
        await api.post('/app/api/reauth', { password: password.value });
      } catch (err) {
        password.select();
        throw err;
      }
      return true;
    },
  });
}

/** Runs `action` (a function returning a promise); after a `reauth_required` answer, asks for the password and runs it again. */
export async function withReauth(action) {
  try {
    return await action();
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'reauth_required') throw err;
    const confirmed = await confirmItsYou(err.message);
    if (!confirmed) throw new ApiError(403, 'reauth_required', 'Nothing was deleted: permanent deletion needs your password.');
    return action();
  }
}
