// Poll the simulated phone's messages so replies from the dashboard appear by themselves.
(function () {
  const phone = document.getElementById("phone");
  const list = document.getElementById("phone-messages");
  if (!phone || !list) return;
  const url = "/sandbox/messages.json?number=" + encodeURIComponent(phone.dataset.number);
  async function refresh() {
    try {
      const response = await fetch(url, {headers: {"Accept": "application/json"}});
      if (!response.ok) return;
      const messages = await response.json();
      const known = new Set(Array.from(list.children, (li) => li.dataset.id));
      for (const m of messages) {
        if (known.has(String(m.id))) continue;
        const li = document.createElement("li");
        li.className = "msg " + (m.direction === "in" ? "out" : "in");
        li.dataset.id = m.id;
        const body = document.createElement("div");
        body.className = "body";
        body.textContent = m.body;  // text, never HTML: a message can contain anything
        li.appendChild(body);
        list.appendChild(li);
      }
    } catch (e) { /* offline for a moment: try again on the next tick */ }
  }
  setInterval(refresh, 1500);
})();
