// Surveyflow's on-site widget, served as /w.js. Plain modern JavaScript, no dependencies, no build step: the shop adds
//   <script async src="…/w.js" data-key="pk_…"></script>
// and tells us who the visitor is with surveyflow('identify', { id, email, locale, properties, signature }) (calls made
// before this file loads wait in window.surveyflow.q; signature is the shop server's HMAC of id, for keys that verify). The panel lives in a shadow root, so the shop's CSS cannot reach it.
(() => {
  const script = document.currentScript;
  if (!script || window.surveyflow?.loaded) return;
  const key = script.getAttribute('data-key') || '';
  const surveyId = script.getAttribute('data-survey') || undefined;
  // Without an identify call by the time the page has loaded, ask anonymously only when the tag says so.
  const anonymous = script.hasAttribute('data-anonymous');
  const base = new URL(script.src).origin;
  const queued = window.surveyflow?.q || [];
  let visitor = null;
  let started = false;

  const post = (path, body) =>
    fetch(`${base}/w/v1/${encodeURIComponent(key)}/${path}`, {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) =>
      r.ok
        ? r.json()
        : r
            .json()
            .catch(() => null)
            .then((b) =>
              Promise.reject(new Error(`surveyflow: ${path} ${r.status} ${b?.error?.message || ''}`)),
            ),
    );

  // An anonymous visitor is known only by this mark: clearing storage or another browser asks again (best-effort).
  const markKey = `surveyflow:asked:${key}:${surveyId || ''}`;
  const marked = () => {
    try {
      return localStorage.getItem(markKey) !== null;
    } catch {
      return false;
    }
  };
  const mark = () => {
    try {
      localStorage.setItem(markKey, String(Date.now()));
    } catch {}
  };

  function start() {
    if (started || !key) return;
    if (!visitor && (!anonymous || marked())) return;
    started = true;
    post('show', { visitor, ...(surveyId ? { surveyId } : {}) })
      .then((answer) => {
        if (!answer.show) return;
        if (!visitor) mark();
        open(answer);
      })
      .catch((err) => {
        started = false;
        // A refused identify (unsigned or wrongly signed for a key that verifies identity) shows nothing; say why.
        console.warn(err.message);
      });
  }

  function surveyflow(command, arg) {
    if (command === 'identify' && arg && typeof arg.id === 'string') {
      visitor = {
        id: arg.id,
        ...(arg.email ? { email: String(arg.email) } : {}),
        ...(arg.locale ? { locale: String(arg.locale) } : {}),
        ...(arg.properties && typeof arg.properties === 'object' ? { properties: arg.properties } : {}),
        ...(arg.signature ? { signature: String(arg.signature) } : {}),
      };
      start();
    }
  }
  surveyflow.loaded = true;
  window.surveyflow = surveyflow;
  for (const args of queued) surveyflow(...args);
  if (document.readyState === 'complete') start();
  else window.addEventListener('load', start, { once: true });

  const CSS = `
:host{all:initial}
.panel{position:fixed;right:16px;bottom:16px;z-index:2147483000;box-sizing:border-box;width:min(380px,calc(100vw - 16px));max-height:calc(100vh - 16px);overflow:auto;background:#fff;color:#1f2430;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.18),0 1px 3px rgba(0,0,0,.1);padding:18px 18px 16px;font:15px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;animation:sf-in .25s ease-out}
@keyframes sf-in{from{transform:translateY(16px);opacity:0}to{transform:none;opacity:1}}
@media (prefers-reduced-motion:reduce){.panel{animation:none}}
@media (max-width:420px){.panel{right:8px;bottom:8px}}
*{box-sizing:border-box}
h2{margin:0 36px 12px 0;font-size:17px;line-height:1.35;font-weight:700;outline:none}
p{margin:0 0 10px}
.close{position:absolute;top:10px;right:10px;width:36px;height:36px;border:0;border-radius:8px;background:transparent;color:#4b5563;font-size:22px;line-height:1;cursor:pointer}
.close:hover{background:#f3f4f6}
.scores{display:grid;grid-template-columns:repeat(var(--cols),1fr);gap:6px;margin:0}
.scores button{min-height:44px;border:1.5px solid #c9ced6;border-radius:9px;background:#f8f9fb;color:#1f2430;font:inherit;font-weight:700;font-size:16px;cursor:pointer;padding:0}
.scores button:hover{border-color:#4f46e5}
.scores button[aria-pressed=true]{background:#4f46e5;border-color:#4f46e5;color:#fff}
.anchors{display:flex;justify-content:space-between;gap:10px;margin:6px 0 14px;font-size:13px;color:#4b5563}
label{display:block;font-weight:600;margin:0 0 6px;font-size:14px}
textarea{display:block;width:100%;min-height:72px;padding:10px;border:1.5px solid #c9ced6;border-radius:9px;font:inherit;resize:vertical;color:#1f2430;background:#fff}
.actions{display:flex;align-items:center;gap:12px;margin-top:12px}
.send{border:0;border-radius:9px;background:#4f46e5;color:#fff;font:inherit;font-weight:700;padding:11px 22px;min-height:44px;cursor:pointer}
.send:hover{background:#4338ca}
.status{font-size:13px;color:#b42318}
button:focus-visible,textarea:focus-visible{outline:3px solid #818cf8;outline-offset:2px}`;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function open({ token, locale, min, max, texts }) {
    const host = el('div', { 'data-surveyflow': '' });
    const root = host.attachShadow({ mode: 'open' });
    const before = document.activeElement;
    let score = null;
    let sending = false;

    const heading = el('h2', { id: 'sf-q', tabindex: '-1', text: texts.question });
    const close = el('button', { type: 'button', class: 'close', 'aria-label': texts.close, text: '×' });
    const count = max - min + 1;
    const scores = el('div', {
      class: 'scores',
      role: 'group',
      'aria-label': `${texts.score}: ${min} ${texts.low} – ${max} ${texts.high}`,
      style: `--cols:${count > 7 ? 6 : count}`,
    });
    const buttons = [];
    for (let s = min; s <= max; s++) {
      const b = el('button', {
        type: 'button',
        'aria-pressed': 'false',
        'data-score': String(s),
        text: String(s),
      });
      b.addEventListener('click', () => {
        score = s;
        for (const other of buttons) other.setAttribute('aria-pressed', String(other === b));
        status.textContent = '';
      });
      buttons.push(b);
      scores.append(b);
    }
    const anchors = el(
      'div',
      { class: 'anchors', 'aria-hidden': 'true' },
      el('span', { text: `${min} · ${texts.low}` }),
      el('span', { text: `${max} · ${texts.high}` }),
    );
    const comment = el('textarea', { id: 'sf-comment', maxlength: '5000' });
    const send = el('button', { type: 'button', class: 'send', text: texts.submit });
    const status = el('p', { class: 'status', role: 'status' });
    const form = el(
      'div',
      {},
      scores,
      anchors,
      el('label', { for: 'sf-comment', text: texts.followup }),
      comment,
      el('div', { class: 'actions' }, send),
      status,
    );
    const panel = el('div', { class: 'panel', role: 'dialog', 'aria-labelledby': 'sf-q', lang: locale });
    panel.append(close, heading, form);
    root.append(el('style', { text: CSS }), panel);

    function dismiss() {
      host.remove();
      if (before && typeof before.focus === 'function' && document.contains(before)) before.focus();
    }
    close.addEventListener('click', dismiss);
    panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') dismiss();
    });
    send.addEventListener('click', () => {
      if (sending) return;
      if (score === null) {
        status.textContent = texts.pick;
        buttons[0].focus();
        return;
      }
      sending = true;
      post('answer', { token, score, comment: comment.value.trim() || null })
        .then(() => {
          form.remove();
          heading.textContent = texts.thanks;
          panel.insertBefore(el('p', { text: texts.thanksMessage }), null);
          heading.focus();
          setTimeout(dismiss, 6000);
        })
        .catch(() => {
          sending = false;
          status.textContent = texts.failed;
        });
    });
    document.body.append(host);
    heading.focus();
  }
})();
