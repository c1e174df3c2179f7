// List sends: while a send runs, refresh its progress every two seconds (the page works without this: reload it).
async function refresh() {
  const res = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
  if (!res.ok) return false;
  const fresh = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById('live');
  const current = document.getElementById('live');
  if (!fresh || !current) return false;
  current.replaceWith(fresh);
  return fresh.getAttribute('data-state') === 'running';
}

function loop() {
  setTimeout(async () => {
    if (await refresh().catch(() => false)) loop();
  }, 2000);
}

if (document.getElementById('live')?.getAttribute('data-state') === 'running') loop();
