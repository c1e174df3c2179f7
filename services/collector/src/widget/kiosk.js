// The kiosk page's script (inlined into /k/:code): score → optional comment → thanks → back to the start, without
// reloading. Each answer gets its own key and waits in localStorage until the server has it, so a network loss
// loses nothing and a resend is recorded once (the server keeps one response per key).
(() => {
  const script = document.currentScript;
  const thanksMs = Number(script?.dataset.thanksSeconds || 5) * 1000;
  const commentMs = Number(script?.dataset.commentSeconds || 60) * 1000;
  const form = document.querySelector('#start form');
  const why = document.getElementById('why');
  const whyForm = why.querySelector('form');
  const comment = document.getElementById('kiosk-comment');
  const thanks = document.getElementById('thanks');
  const start = document.getElementById('start');
  const offline = document.getElementById('offline');
  const action = form.getAttribute('action');
  const store = `surveyflow:kiosk:${action}`;
  let current = null;
  let timer = null;

  const newKey = () => {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
  };
  const load = () => {
    try {
      return JSON.parse(localStorage.getItem(store) || '[]');
    } catch {
      return [];
    }
  };
  const save = (items) => localStorage.setItem(store, JSON.stringify(items));

  let flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (const item of load()) {
        let response;
        try {
          response = await fetch(action, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify(item),
          });
        } catch {
          break; // still offline: keep it, and the rest, for the next try
        }
        // Recorded, or refused for good (the device limit, a bad answer): either way it leaves the queue.
        if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 408)) {
          save(load().filter((other) => other.key !== item.key));
        } else {
          break;
        }
      }
    } finally {
      flushing = false;
      offline.hidden = load().length === 0;
    }
  }

  function show(section) {
    for (const s of [start, why, thanks]) s.hidden = s !== section;
    const target = section === why ? comment : section.querySelector('h1');
    target?.focus();
  }

  function reset() {
    clearTimeout(timer);
    current = null;
    comment.value = '';
    show(start);
  }

  function finish(withComment) {
    if (!current) return;
    clearTimeout(timer);
    const text = withComment ? comment.value.trim() : '';
    save([...load(), { ...current, comment: text || null }]);
    current = null;
    show(thanks);
    flush();
    timer = setTimeout(reset, thanksMs);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = event.submitter;
    if (button?.name !== 'score') return;
    current = { key: newKey(), score: Number(button.value) };
    show(why);
    timer = setTimeout(() => finish(false), commentMs);
  });
  whyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    finish(true);
  });
  why.querySelector('[data-skip]').addEventListener('click', () => finish(false));
  window.addEventListener('online', flush);
  setInterval(flush, 15000);
  flush();
})();
