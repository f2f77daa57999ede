// The dashboard's login page: POST /api/login, then on to the dashboard, whose session cookie is now set.
'use strict';
(function () {
  let lang = localStorage.getItem('fleet.lang') === 'hi' ? 'hi' : 'en';
  const t = (k) => (window.I18N[lang] && window.I18N[lang][k]) || window.I18N.en[k] || k;
  const error = document.getElementById('login-error');
  function applyLabels() {
    document.documentElement.lang = lang;
    for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
    document.getElementById('lang').textContent = t('switch');
    document.title = `${t('title')} — ${t('login.title')}`;
  }
  document.getElementById('lang').addEventListener('click', () => {
    lang = lang === 'en' ? 'hi' : 'en';
    localStorage.setItem('fleet.lang', lang);
    applyLabels();
  });
  document.getElementById('login').addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const button = document.getElementById('login-submit');
    button.disabled = true;
    try {
      const res = await fetch('/api/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: document.getElementById('username').value, password: document.getElementById('password').value }),
      });
      if (res.ok) {
        location.replace('/');
        return;
      }
      const body = await res.json().catch(() => ({}));
      error.textContent = res.status === 401 ? t('login.wrong') : res.status === 429 ? `${t('login.locked')} (${res.headers.get('retry-after') || '?'} s)` : body.detail || res.statusText;
    } catch (err) {
      error.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
  applyLabels();
})();
