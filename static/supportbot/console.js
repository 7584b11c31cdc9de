/* Agent console: live queue, live conversation, actions over fetch. Text only via textContent. */
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) return;
  var page = root.getAttribute("data-page");
  var agentName = document.body.getAttribute("data-agent-name") || "";
  var notice = document.getElementById("notice");
  var convId = parseInt(root.getAttribute("data-conversation-id") || "0", 10);
  var ws, backoff = 500;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }
  function say(text) { if (notice) notice.textContent = text; }

  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/ws/helpdesk/");
    ws.onopen = function () {
      backoff = 500;
      root.setAttribute("data-live", "1");
      if (convId) ws.send(JSON.stringify({ type: "watch", conversation_id: convId }));
    };
    ws.onmessage = function (ev) {
      var data;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      handle(data);
    };
    ws.onclose = function () {
      root.setAttribute("data-live", "0");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }
  setInterval(function () {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: "ping" }));
    tickWaits();
  }, 15000);

  // --- queue ---------------------------------------------------------------------------------
  var queue = {};
  function queueRow(item) {
    var tr = el("tr");
    tr.setAttribute("data-id", item.id);
    tr.setAttribute("data-waiting-since", item.waiting_since || "");
    var td = el("td"), a = el("a", null, item.shopper);
    a.href = "/helpdesk/c/" + item.id + "/";
    td.appendChild(a); tr.appendChild(td);
    tr.appendChild(el("td", null, item.reason || ""));
    tr.appendChild(el("td", null, item.intent || ""));
    tr.appendChild(el("td", "wait", fmtWait(item.wait_seconds)));
    tr.appendChild(el("td", null, item.owner === "agent" ? "with " + (item.agent_name || "") : "waiting"));
    tr.appendChild(el("td", "preview", item.last_message || ""));
    return tr;
  }
  function fmtWait(s) { s = Math.max(0, s | 0); return s < 60 ? s + "s" : Math.floor(s / 60) + "m " + (s % 60) + "s"; }
  function tickWaits() {
    var rows = document.querySelectorAll("#queue-body tr[data-waiting-since]");
    for (var i = 0; i < rows.length; i++) {
      var since = Date.parse(rows[i].getAttribute("data-waiting-since"));
      if (!isNaN(since)) rows[i].querySelector(".wait").textContent = fmtWait((Date.now() - since) / 1000);
    }
  }
  function renderQueue() {
    var body = document.getElementById("queue-body");
    if (!body) return;
    var items = Object.keys(queue).map(function (k) { return queue[k]; });
    items.sort(function (a, b) { return (a.waiting_since || "").localeCompare(b.waiting_since || ""); });
    body.textContent = "";
    items.forEach(function (it) { body.appendChild(queueRow(it)); });
  }

  // --- conversation --------------------------------------------------------------------------
  var ROLE = { shopper: "Shopper", assistant: "Assistant", agent: "Agent", system: "System", note: "Note" };
  function appendMessage(m) {
    var list = document.getElementById("history");
    if (!list || m.conversation_id !== convId) return;
    if (list.querySelector('li[data-id="' + m.id + '"]')) return;
    var li = el("li", "msg role-" + m.role + (m.draft ? " draft" : ""));
    li.setAttribute("data-id", m.id);
    var who = (ROLE[m.role] || m.role) + (m.agent_name ? " · " + m.agent_name : "") + (m.draft ? " · draft, not sent" : "");
    li.appendChild(el("div", "who", who));
    li.appendChild(el("div", "text", m.text));
    if (m.trace) {
      var d = el("details", "trace"), t = m.trace;
      d.appendChild(el("summary", null, "route " + (t.route || "") + " · intent " + (t.intent || "–") +
        " · confidence " + (t.confidence == null ? "–" : t.confidence) + (t.escalation_reason ? " · " + t.escalation_reason : "")));
      d.appendChild(el("pre", "trace-json", JSON.stringify(t, null, 2)));
      li.appendChild(d);
    }
    list.appendChild(li);
    li.scrollIntoView({ block: "end" });
  }
  function applyState(s) {
    if (s.conversation_id !== convId) return;
    root.setAttribute("data-owner", s.owner);
    root.setAttribute("data-mine", s.owner === "agent" && s.agent_name === agentName ? "1" : "0");
    var labels = { bot: "Assistant", queue: "Waiting for a person", agent: "Agent", closed: "Closed" };
    var o = document.getElementById("conv-owner");
    if (o) o.textContent = (labels[s.owner] || s.owner) + (s.agent_name ? " (" + s.agent_name + ")" : "");
  }

  function handle(d) {
    if (d.type === "queue_snapshot") {
      queue = {};
      d.items.forEach(function (it) { queue[it.id] = it; });
      renderQueue();
    } else if (d.type === "queue" || d.type === "escalation") {
      var it = d.item;
      if (it.owner === "queue" || it.owner === "agent") queue[it.id] = it; else delete queue[it.id];
      renderQueue();
      if (d.type === "escalation") {
        say("New escalation: " + it.shopper + (it.reason ? " (" + it.reason + ")" : ""));
        document.title = "(!) Support console";
      }
    } else if (d.type === "message") {
      appendMessage(d);
    } else if (d.type === "state") {
      applyState(d);
    }
  }

  // --- actions -------------------------------------------------------------------------------
  var forms = document.querySelectorAll("form[data-action]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = new FormData(form);
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          if (res.state) applyState(res.state);
          if (!res.ok) { say(res.error || "That did not work."); return; }
          var ta = form.querySelector("textarea");
          if (ta) ta.value = "";
          say("");
        })
        .catch(function () { say("Network error: try again."); });
    });
  });
  var canned = document.getElementById("canned");
  if (canned) canned.addEventListener("change", function () {
    var ta = document.getElementById("reply-text");
    if (canned.value && ta) { ta.value = canned.value; ta.focus(); }
  });
  var replyText = document.getElementById("reply-text");
  if (replyText) replyText.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) document.getElementById("reply-form").requestSubmit();
  });

  connect();
  tickWaits();
})();
