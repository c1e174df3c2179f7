// Applies the feed's filters without a reload: fetches the same GET the form would, swaps in the new feed and keeps the URL.
// Without JavaScript the form simply submits; the page is the same either way.
const form = document.getElementById('feed-filters');

async function show(url) {
  const feed = document.getElementById('feed');
  if (!feed) return;
  feed.setAttribute('aria-busy', 'true');
  try {
    const res = await fetch(url, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
    if (!res.ok || !res.headers.get('content-type')?.startsWith('text/html')) {
      window.location.assign(url);
      return;
    }
    const next = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById('feed');
    if (!next) {
      window.location.assign(url);
      return;
    }
    feed.replaceWith(next);
    history.pushState({ feed: true }, '', url);
  } catch {
    window.location.assign(url);
  } finally {
    document.getElementById('feed')?.removeAttribute('aria-busy');
  }
}

if (form) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v !== '') params.set(k, v);
    const query = params.toString();
    show(`${form.action}${query ? `?${query}` : ''}`);
  });
  // Back and forward show the filters of that address too.
  window.addEventListener('popstate', () => window.location.reload());
}
