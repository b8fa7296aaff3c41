// /app/login[?next=/app/...]: signs in and returns to the page that was asked for.
import { h } from './dom.js';
import { api, setSession } from './api.js';
import { field } from './ui.js';

function safeNext(raw) {
  // Only same-app paths: never an absolute or protocol-relative URL (no open redirect).
  if (!raw || !raw.startsWith('/app') || raw.startsWith('//') || raw.startsWith('/app/login')) return null;
  return raw;
}

export function renderLogin({ main, navigate }) {
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  const email = h('input', { type: 'email', name: 'email', class: 'input', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', class: 'input', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Log in');

  const form = h('form', {
    class: 'login-form', novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      error.hidden = true;
      if (!email.value.trim() || !password.value) {
        error.textContent = 'Enter your email and password.';
        error.hidden = false;
        return;
      }
      submit.disabled = true;
      submit.setAttribute('aria-busy', 'true');
      try {
        const answer = await api.post('/app/api/login', { email: email.value.trim(), password: password.value });
        setSession({ csrfToken: answer.csrfToken, user: answer.user, workspaces: answer.workspaces || [] });
        // The session answer carries each workspace's permissions.
        const s = await api.get('/app/api/session');
        if (!s.csrfToken) s.csrfToken = answer.csrfToken;
        setSession(s);
        const first = (s.workspaces || [])[0];
        navigate(next || (first ? `/app/${encodeURIComponent(first.url)}` : '/app'), { replace: true });
      } catch (err) {
        error.textContent = err.code === 'invalid_credentials' || err.status === 401
          ? 'The email or password is not correct.'
          : err.code === 'too_many_attempts' ? 'Too many attempts. Wait a minute and try again.' : err.message;
        error.hidden = false;
        submit.disabled = false;
        submit.removeAttribute('aria-busy');
        password.select();
        password.focus();
      }
    },
  },
  field('Email', email),
  field('Password', password),
  error,
  submit);

  main.append(h('div', { class: 'login-page' },
    h('div', { class: 'login-card card' },
      h('div', { class: 'login-brand' }, h('img', { src: '/app/static/favicon.svg', alt: '', width: 40, height: 40 }), h('span', {}, 'Limbo')),
      h('h1', { class: 'login-title' }, 'Log in to your workspace'),
      next ? h('p', { class: 'muted' }, 'Log in to continue to the page you asked for.') : null,
      form)));
  email.focus();
  main.dataset.ready = 'login';
}
