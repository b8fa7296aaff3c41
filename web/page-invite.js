// /app/invite/<token>: the invited person accepts. A new account chooses its name and password; an
// existing one enters its own password (or is already signed in). Accepting never changes an
// existing account (SPEC T17), then it lands in the workspace, signed in.
import { h } from './dom.js';
import { api, session, setSession } from './api.js';
import { field, alertBox } from './ui.js';

function card(...children) {
  return h('div', { class: 'login-page' },
    h('div', { class: 'login-card card', 'data-invite': true },
      h('div', { class: 'login-brand' }, h('img', { src: '/app/static/favicon.svg', alt: '', width: 40, height: 40 }), h('span', {}, 'Limbo')),
      children));
}

export async function renderInvite({ main, navigate, token }) {
  let preview;
  try {
    preview = await api.post('/app/api/invitations/lookup', { token });
  } catch (err) {
    main.append(card(h('h1', { class: 'login-title' }, 'This invitation cannot be used'), alertBox(err),
      h('p', {}, h('a', { href: '/app/login' }, 'Go to the login page'))));
    main.dataset.ready = 'invite';
    return;
  }
  const inv = preview.invitation;
  const signedIn = session() && session().user && session().user.email === inv.email;
  const error = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Accept invitation');
  const name = h('input', { type: 'text', name: 'name', class: 'input', autocomplete: 'name', required: true });
  const password = h('input', {
    type: 'password', name: 'password', class: 'input', required: true,
    autocomplete: preview.accountExists ? 'current-password' : 'new-password', minlength: 8,
  });
  const email = h('input', { type: 'email', name: 'email', class: 'input', autocomplete: 'username', value: inv.email, readonly: true });
  let fields;
  let intro;
  if (signedIn) {
    fields = [];
    intro = `You are signed in as ${inv.email}.`;
  } else if (preview.accountExists) {
    fields = [field('Email', email), field('Password', password, 'The password of your existing Limbo account. It stays as it is.')];
    intro = `${inv.email} already has a Limbo account: sign in with its password to join.`;
  } else {
    fields = [field('Email', email), field('Your name', name), field('Choose a password', password, 'At least 8 characters.')];
    intro = 'Create your account to join.';
  }

  const form = h('form', {
    class: 'login-form', novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      error.hidden = true;
      const body = { token };
      if (!signedIn) {
        if (!password.value || (!preview.accountExists && !name.value.trim())) {
          error.textContent = preview.accountExists ? 'Enter your password.' : 'Enter your name and a password.';
          error.hidden = false;
          return;
        }
        body.password = password.value;
        if (!preview.accountExists) body.name = name.value.trim();
      }
      submit.disabled = true;
      submit.setAttribute('aria-busy', 'true');
      try {
        const answer = await api.post('/app/api/invitations/accept', body);
        setSession({ csrfToken: answer.csrfToken, user: answer.user, workspaces: answer.workspaces || [] });
        const s = await api.get('/app/api/session');
        if (!s.csrfToken) s.csrfToken = answer.csrfToken;
        setSession(s);
        navigate(`/app/${encodeURIComponent(answer.workspace)}`, { replace: true });
      } catch (err) {
        error.textContent = err.code === 'invalid_credentials' ? 'The password is not correct.'
          : err.code === 'too_many_attempts' ? 'Too many attempts. Wait a few minutes and try again.' : err.message;
        error.hidden = false;
        submit.disabled = false;
        submit.removeAttribute('aria-busy');
      }
    },
  }, fields, error, submit);

  main.append(card(
    h('h1', { class: 'login-title' }, `Join ${inv.workspace.name || inv.workspace.url}`),
    h('p', {}, (inv.invitedBy && inv.invitedBy.name) ? `${inv.invitedBy.name} invited you as ` : 'You are invited as ',
      h('strong', {}, inv.roleName || inv.role), '.'),
    h('p', { class: 'muted' }, intro),
    form));
  (signedIn ? submit : preview.accountExists ? password : name).focus();
  main.dataset.ready = 'invite';
}
