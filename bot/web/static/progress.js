// Live progress of an announcement, from server-sent events (the page works without it).
(function () {
  const section = document.getElementById("progress");
  if (!section || !window.EventSource) return;
  const source = new EventSource(section.dataset.stream);
  function fill(row, counts) {
    if (!row) return;
    for (const cell of row.querySelectorAll("td[data-state]")) {
      const value = counts[cell.dataset.state];
      if (value !== undefined) cell.textContent = value;
    }
  }
  source.onmessage = function (event) {
    const progress = JSON.parse(event.data);
    fill(section.querySelector('tr[data-lang="all"]'), progress.states);
    for (const [lang, counts] of Object.entries(progress.by_language)) {
      fill(section.querySelector('tr[data-lang="' + CSS.escape(lang) + '"]'), counts);
    }
  };
})();
