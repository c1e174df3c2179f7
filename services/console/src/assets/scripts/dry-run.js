// The trigger page's live dry run: as the operator edits the form, the outcome is asked for again (debounced) and
// swapped in. Without this script the "Try it" button posts the form and the page comes back with the outcome.
const form = document.querySelector('form[data-dry-run]');
const outcome = document.getElementById('dry-run-outcome');

if (form instanceof HTMLFormElement && outcome) {
  const url = form.dataset.dryRun;
  let timer = 0;
  let asked = 0;
  let controller = null;

  async function run() {
    const mine = ++asked;
    controller?.abort();
    controller = new AbortController();
    outcome.setAttribute('aria-busy', 'true');
    try {
      // The whole form, its CSRF token included, as the browser would post it.
      const res = await fetch(url, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
        headers: { accept: 'text/html' },
        credentials: 'same-origin',
        signal: controller.signal,
      });
      if (mine !== asked) return;
      if (res.ok) outcome.innerHTML = await res.text();
    } catch (err) {
      if (err.name !== 'AbortError') console.warn('dry run failed', err);
    } finally {
      if (mine === asked) outcome.removeAttribute('aria-busy');
    }
  }

  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(run, 350);
  };
  form.addEventListener('input', soon);
  form.addEventListener('change', soon);
  // "Try it" answers in place instead of reloading the page.
  for (const button of form.querySelectorAll('[data-try]')) {
    button.addEventListener('click', (e) => {
      e.preventDefault();
      clearTimeout(timer);
      run();
    });
  }
  for (const hint of document.querySelectorAll('.live-hint')) hint.hidden = false;
}
