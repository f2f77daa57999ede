// The fleet dashboard: plain JavaScript over the JSON API, refreshed by server-sent events.
'use strict';
(function () {
  const view = document.getElementById('view');
  let lang = localStorage.getItem('fleet.lang') === 'hi' ? 'hi' : 'en';
  const state = { sort: 'id', order: 'asc', district: '', alert: '', q: '' };
  // The answer to the last job sent, kept across redraws (a live update may redraw the page meanwhile).
  let jobNotice = { kiosk: '', text: '', error: false };
  // The login session: user, role, what the role may do, and the CSRF token for state changes.
  let session = { user: '', role: '', csrf: '', can: {} };
  const t = (k) => (window.I18N[lang] && window.I18N[lang][k]) || window.I18N.en[k] || k;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  const rupees = (p) => (p === null || p === undefined ? '' : (p / 100).toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  const when = (ms) => (ms ? new Date(ms).toLocaleString(lang === 'hi' ? 'hi-IN' : 'en-IN', { timeZone: 'Asia/Kolkata' }) : '');
  async function api(path, init) {
    const req = { ...(init || {}) };
    if (req.method && req.method !== 'GET') req.headers = { ...(req.headers || {}), 'x-csrf-token': session.csrf };
    const res = await fetch(path, req);
    // The session ended (idle, expired, logged out elsewhere): back to the login page.
    if (res.status === 401) {
      location.replace('/login.html');
      throw new Error(t('login.again'));
    }
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.detail || body.error || res.statusText);
    return body;
  }
  function table(headers, rows, attrs) {
    if (!rows.length) return el('p', { class: 'muted' }, t('none'));
    return el('table', attrs || {}, el('thead', {}, el('tr', {}, headers.map((h) => (h instanceof Node ? h : el('th', {}, h))))), el('tbody', {}, rows));
  }
  const alertTags = (kinds, sev) => kinds.map((k) => el('span', { class: `tag sev-${sev || 'warning'}` }, k));

  function applyLabels() {
    document.documentElement.lang = lang;
    for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
    document.getElementById('lang').textContent = t('switch');
    document.title = t('title');
  }

  async function fleetView() {
    const qs = new URLSearchParams();
    for (const k of ['district', 'alert', 'q', 'sort', 'order']) if (state[k]) qs.set(k, state[k]);
    const [ov, list] = await Promise.all([api('/api/overview'), api(`/api/kiosks?${qs}`)]);
    const cards = el('div', { class: 'cards', id: 'overview' },
      ['total', 'online', 'offline', 'onBattery', 'atRisk', 'withAlerts'].map((k) => el('div', { class: 'card', 'data-count': k }, el('b', {}, ov[k]), t(k))));
    const district = el('select', { id: 'f-district', onchange: (e) => { state.district = e.target.value; render(); } },
      el('option', { value: '' }, t('allDistricts')), ov.districts.map((d) => el('option', { value: d, selected: d === state.district }, d)));
    const alert = el('select', { id: 'f-alert', onchange: (e) => { state.alert = e.target.value; render(); } },
      el('option', { value: '' }, t('allKiosks')), el('option', { value: 'any', selected: state.alert === 'any' }, t('anyAlert')),
      Object.keys(ov.alerts).sort().map((a) => el('option', { value: a, selected: a === state.alert }, `${a} (${ov.alerts[a]})`)));
    const search = el('input', { id: 'f-q', placeholder: t('search'), value: state.q, onchange: (e) => { state.q = e.target.value; render(); } });
    const csv = el('a', { id: 'csv', href: `/api/kiosks.csv?${qs}`, download: 'kiosks.csv' }, t('csv'));
    const th = (key, label) => el('th', {
      class: `sortable${state.sort === key ? ' sorted' : ''}${state.sort === key && state.order === 'desc' ? ' desc' : ''}`,
      'data-sort': key,
      onclick: () => { state.order = state.sort === key && state.order === 'asc' ? 'desc' : 'asc'; state.sort = key; render(); },
    }, label);
    const rows = list.kiosks.map((r) => el('tr', { 'data-kiosk': r.kioskId, 'data-liveness': r.liveness },
      el('td', {}, el('a', { href: `#/kiosk/${r.kioskId}` }, r.kioskId)),
      el('td', {}, r.district || ''),
      el('td', { class: r.liveness }, t(`liveness.${r.liveness}`), r.liveness === 'offline' ? el('span', { class: 'muted' }, ` (${r.reason})`) : null),
      el('td', {}, r.daysInactive === null ? '' : r.daysInactive),
      el('td', {}, rupees(r.walletPaise)),
      el('td', {}, when(r.lastSeenAt)),
      el('td', {}, alertTags(r.alerts, r.severity))));
    return [cards, el('div', { class: 'filters' }, district, alert, search, csv),
      table([th('id', t('kiosk')), th('district', t('district')), el('th', {}, t('status')), th('daysInactive', t('daysInactive')), th('wallet', t('wallet')), th('lastSeen', t('lastSeen')), el('th', {}, t('alerts'))], rows, { id: 'kiosks' })];
  }

  async function kioskView(id) {
    let d;
    try {
      d = await api(`/api/kiosks/${encodeURIComponent(id)}`);
    } catch {
      return [el('p', { class: 'error' }, t('noKiosk'), ` ${id}`), el('a', { href: '#/' }, t('back'))];
    }
    const r = d.row;
    const devices = Object.entries((d.kiosk.state && d.kiosk.state.devices) || {}).map(([n, h]) => el('tr', {}, el('td', {}, n), el('td', {}, h.state), el('td', {}, h.detail || '')));
    const params = el('textarea', { id: 'job-params', rows: 2, cols: 40 }, '{}');
    const type = el('select', { id: 'job-type' }, ['print.test', 'diagnostics', 'state.republish', 'wallet.credit', 'wallet.sync', 'config.set'].map((x) => el('option', { value: x }, x)));
    const ttl = el('input', { id: 'job-ttl', type: 'number', value: 600, min: 1 });
    const out = el('span', { id: 'job-out', class: jobNotice.kiosk === id && jobNotice.error ? 'error' : '' }, jobNotice.kiosk === id ? jobNotice.text : '');
    const send = async () => {
      try {
        const res = await api('/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: type.value, params: JSON.parse(params.value || '{}'), kioskId: id, expiresInSec: Number(ttl.value) }) });
        jobNotice = { kiosk: id, text: `${t('sent')}: ${res.job.jobId}`, error: false };
      } catch (err) {
        jobNotice = { kiosk: id, text: err.message, error: true };
      }
      const shown = document.getElementById('job-out');
      if (shown) {
        shown.textContent = jobNotice.text;
        shown.className = jobNotice.error ? 'error' : '';
      }
    };
    const jobForm = session.can.sendJobs
      ? el('div', { class: 'filters' }, type, el('label', {}, t('params'), ' ', params), el('label', {}, t('expires'), ' ', ttl), el('button', { id: 'job-send', type: 'button', onclick: send }, t('send')), out)
      : el('p', { id: 'job-denied', class: 'muted' }, t('jobsNotAllowed'));
    return [
      el('h2', { id: 'kiosk-title', 'data-liveness': r.liveness }, `${r.kioskId} — ${r.district || ''} · `, el('span', { class: r.liveness }, t(`liveness.${r.liveness}`)), ` · ${r.lsp || ''}`),
      el('p', { class: 'muted' }, `${t('lastSeen')}: ${when(r.lastSeenAt)} · ${t('daysInactive')}: ${r.daysInactive ?? ''} · ${t('wallet')}: ${rupees(r.walletPaise)} · ${t('gaps')}: ${d.gaps.gaps}/${d.gaps.missed}`),
      el('section', {}, el('h2', {}, t('openAlerts')), table([t('alert'), t('severity'), t('detail'), t('since')], d.alerts.map((a) => el('tr', { class: `sev-${a.severity}` }, el('td', {}, a.kind), el('td', {}, a.severity), el('td', {}, a.detail), el('td', {}, when(a.openedAt)))), { id: 'alerts' })),
      el('section', {}, el('h2', {}, t('devices')), table([t('device'), t('state'), t('detail')], devices)),
      el('section', {}, el('h2', {}, t('sendJob')), jobForm),
      el('section', {}, el('h2', {}, t('jobs')), table([t('type'), t('status'), t('detail'), t('time')], d.jobs.map((j) => el('tr', { 'data-job': j.jobId, 'data-status': j.status }, el('td', {}, j.type), el('td', {}, j.status), el('td', {}, j.reason || (j.result ? JSON.stringify(j.result).slice(0, 120) : '')), el('td', {}, when(j.updatedAt)))), { id: 'jobs' })),
      el('section', {}, el('h2', {}, t('events')), table([t('time'), t('type'), t('severity'), t('detail')], d.events.map((e) => el('tr', {}, el('td', {}, when(e.receivedAt)), el('td', {}, e.type), el('td', { class: `sev-${e.severity}` }, e.severity), el('td', {}, el('pre', {}, JSON.stringify(e.data))))))),
      el('section', {}, el('h2', {}, t('transactions')), table([t('time'), t('service'), t('status'), t('amount'), t('balance')], d.transactions.map((x) => el('tr', {}, el('td', {}, when(x.ts)), el('td', {}, x.serviceCode || x.entry), el('td', {}, x.status), el('td', {}, rupees(x.amountPaise)), el('td', {}, rupees(x.balancePaise)))))),
      el('section', {}, el('h2', {}, t('history')), table([t('time'), t('alert'), t('action'), t('detail')], d.history.map((h) => el('tr', {}, el('td', {}, when(h.at)), el('td', {}, h.kind), el('td', {}, h.action), el('td', {}, h.detail))))),
    ];
  }

  async function inactivityView() {
    const d = await api('/api/inactivity');
    return [el('p', { class: 'muted' }, t('riskNote')),
      table([t('kiosk'), t('district'), t('daysInactive'), t('breachOn'), t('status')], d.kiosks.map((r) => el('tr', { 'data-risk': r.kioskId, class: r.daysInactive >= d.thresholds.breachDays ? 'sev-critical' : r.daysInactive >= d.thresholds.warnDays ? 'sev-warning' : '' },
        el('td', {}, el('a', { href: `#/kiosk/${r.kioskId}` }, r.kioskId)), el('td', {}, r.district || ''), el('td', {}, `${r.daysInactive} ${t('days')}`),
        el('td', {}, r.breachOn || '', r.alerts.includes('inactivity-breach') ? ' ⚠' : ''), el('td', { class: r.liveness }, t(`liveness.${r.liveness}`)))), { id: 'risk' })];
  }

  async function ekycView() {
    const d = await api('/api/ekyc-weekly?weeks=8');
    return [table([t('district'), ...d.weeks.map((w) => `${t('week')} ${w}`), t('total2')],
      d.districts.map((r) => el('tr', { 'data-district': r.district }, el('td', {}, r.district), r.counts.map((n) => el('td', {}, n)), el('td', {}, el('b', {}, r.total)))), { id: 'ekyc' })];
  }

  async function jobsView() {
    const d = await api('/api/jobs');
    return [table([t('created'), t('type'), t('target'), 'id'], d.jobs.map((j) => el('tr', {}, el('td', {}, when(j.createdAt)), el('td', {}, j.type), el('td', {}, j.target), el('td', {}, j.jobId))), { id: 'job-list' })];
  }

  async function auditView() {
    const d = await api('/api/audit?limit=200');
    return [table([t('time'), t('user'), t('action'), t('target'), t('detail'), t('address')], d.entries.map((e) => el('tr', { 'data-audit': e.action },
      el('td', {}, when(e.at)), el('td', {}, e.username), el('td', {}, e.action), el('td', {}, e.target), el('td', {}, el('pre', {}, JSON.stringify(e.detail))), el('td', {}, e.address))), { id: 'audit' })];
  }

  let rendering = Promise.resolve();
  function render() {
    rendering = rendering.then(async () => {
      const hash = location.hash.replace(/^#/, '') || '/';
      const kiosk = /^\/kiosk\/(.+)$/.exec(hash);
      // Keep what the operator is typing in the job form across live refreshes.
      // (A focused button does not count: after Send the page must go on showing the job's progress.)
      const typing = document.activeElement && document.activeElement.matches && document.activeElement.matches('section input, section textarea, section select');
      if (kiosk && typing && view.dataset.view === hash) return;
      let parts;
      try {
        parts = kiosk ? await kioskView(decodeURIComponent(kiosk[1])) : hash === '/inactivity' ? await inactivityView() : hash === '/ekyc' ? await ekycView() : hash === '/jobs' ? await jobsView() : hash === '/audit' ? await auditView() : await fleetView();
      } catch (err) {
        parts = [el('p', { class: 'error' }, err.message)];
      }
      view.replaceChildren(...parts);
      view.dataset.view = hash;
      view.dataset.rendered = String(Date.now());
    });
  }

  // Live changes redraw at most every 2 s: a busy fleet sends many, and each redraw reads the table.
  let pending;
  let lastLive = 0;
  function soon() {
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      lastLive = Date.now();
      render();
    }, Math.max(250, 2000 - (Date.now() - lastLive)));
  }
  function connect() {
    const live = document.getElementById('live');
    const es = new EventSource('/api/stream');
    es.onopen = () => { live.dataset.i18n = 'live.on'; live.className = 'live'; live.textContent = t('live.on'); soon(); };
    es.onerror = () => {
      live.dataset.i18n = 'live.off'; live.className = 'live off'; live.textContent = t('live.off');
      // The stream also ends with the session; if that is why, go to the login page.
      api('/api/session').catch(() => undefined);
    };
    es.addEventListener('change', soon);
  }

  document.getElementById('lang').addEventListener('click', () => {
    lang = lang === 'en' ? 'hi' : 'en';
    localStorage.setItem('fleet.lang', lang);
    applyLabels();
    render();
  });
  document.getElementById('logout').addEventListener('click', async () => {
    await api('/api/logout', { method: 'POST' }).catch(() => undefined);
    location.replace('/login.html');
  });
  window.addEventListener('hashchange', render);
  applyLabels();
  api('/api/session').then((s) => {
    session = s;
    document.getElementById('who').textContent = `${s.user} (${s.role})`;
    document.getElementById('who').dataset.role = s.role;
    document.getElementById('nav-audit').hidden = !s.can.readAudit;
    render();
    connect();
  }, () => undefined);
})();
