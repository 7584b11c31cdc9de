/*! Supportbot chat widget: one script tag, no framework, styles isolated in a Shadow DOM.
 * <script src="https://support.example.com/static/supportbot/widget.js"
 *   data-supportbot-url="https://support.example.com" data-store-name="My store"
 *   data-greeting="Hi!" data-primary-color="#2f5d50" data-text-color="#fff" data-position="right"
 *   data-customer-token="(signed by your backend, optional)" defer></script>
 * Every piece of text is inserted with textContent: nothing a shopper, agent or model writes is HTML.
 */
(function () {
  "use strict";
  if (window.__supportbotLoaded) return;
  window.__supportbotLoaded = true;

  var script = document.currentScript || document.querySelector("script[data-supportbot-url]");
  var ds = (script && script.dataset) || {};
  var base = (ds.supportbotUrl || (script ? new URL(script.src, location.href).origin : location.origin)).replace(/\/+$/, "");
  var cfg = {
    store: ds.storeName || "Support",
    greeting: ds.greeting || "Hi! How can we help?",
    primary: ds.primaryColor || "#2f5d50",
    text: ds.textColor || "#ffffff",
    position: ds.position === "left" ? "left" : "right",
    customerToken: ds.customerToken || ""
  };
  var TOKEN_KEY = "supportbot:token:" + base;
  var OUTBOX_KEY = "supportbot:outbox:" + base;
  var OPEN_KEY = "supportbot:open:" + base;

  function store(key, value) {
    try { if (value == null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch (e) { /* private mode */ }
  }
  function load(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }

  // --- DOM -----------------------------------------------------------------------------------
  var host = document.createElement("div");
  host.id = "supportbot-widget";
  var shadow = host.attachShadow({ mode: "open" });
  var css = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
    ".launcher{position:fixed;bottom:20px;" + cfg.position + ":20px;z-index:2147483000;border:0;border-radius:28px;padding:14px 20px;background:var(--sb-primary);color:var(--sb-text);font-size:15px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".panel{position:fixed;bottom:84px;" + cfg.position + ":20px;z-index:2147483000;width:370px;max-width:calc(100vw - 24px);height:560px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;color:#1d2327;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.25);overflow:hidden;font-size:14px}",
    ".panel[hidden]{display:none}",
    "header{background:var(--sb-primary);color:var(--sb-text);padding:12px 14px;display:flex;align-items:center;gap:8px}",
    "header h2{font-size:16px;margin:0;flex:1}.status{font-size:12px;opacity:.9;display:block;font-weight:400}",
    ".close{background:none;border:0;color:var(--sb-text);font-size:22px;cursor:pointer;line-height:1}",
    ".log{list-style:none;margin:0;padding:12px;flex:1;overflow-y:auto;display:flex;flex-direction:column;gap:8px}",
    ".msg{max-width:85%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}",
    ".shopper{align-self:flex-end;background:var(--sb-primary);color:var(--sb-text);border-bottom-right-radius:3px}",
    ".assistant,.agent{align-self:flex-start;background:#f0f2f4;border-bottom-left-radius:3px}",
    ".agent{background:#e6eefc}.who{display:block;font-size:11px;color:#555;margin-bottom:2px}",
    ".system{align-self:center;background:none;color:#555;font-size:12px;font-style:italic;text-align:center}",
    ".sending{opacity:.65}.failed{outline:2px solid #c62828}",
    ".cites{display:block;margin-top:6px;font-size:12px}.cites a{color:#1a56b0;margin-right:8px}",
    ".typing{padding:0 14px 6px;font-size:12px;color:#666;min-height:18px}",
    ".quick{display:flex;flex-wrap:wrap;gap:6px;padding:0 12px 8px}",
    ".quick button,.csat button,.human,.back{border:1px solid var(--sb-primary);background:#fff;color:var(--sb-primary);border-radius:16px;padding:5px 11px;font-size:13px;cursor:pointer}",
    ".bar{display:flex;gap:6px;padding:0 12px 6px}",
    ".box{padding:8px 12px;border-top:1px solid #eee;font-size:13px}.box[hidden]{display:none}",
    ".box input{width:100%;padding:7px;border:1px solid #bbb;border-radius:6px;margin:6px 0}",
    "form.composer{display:flex;gap:6px;padding:10px 12px;border-top:1px solid #eee}",
    "textarea{flex:1;resize:none;border:1px solid #bbb;border-radius:8px;padding:8px;font-size:14px;height:40px}",
    ".send,.box button[type=submit]{background:var(--sb-primary);color:var(--sb-text);border:0;border-radius:8px;padding:0 14px;cursor:pointer;font-size:14px}",
    ".box button[type=submit]{padding:6px 12px}",
    "button:focus-visible,textarea:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #ffbf47;outline-offset:1px}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    "@media (max-width:480px){.panel{inset:0;width:100vw;max-width:none;height:100%;max-height:none;border-radius:0}}"
  ].join("\n");
  var style = document.createElement("style");
  style.textContent = css;
  shadow.appendChild(style);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }

  var wrap = el("div", "wrap");
  wrap.style.setProperty("--sb-primary", cfg.primary);
  wrap.style.setProperty("--sb-text", cfg.text);
  var launcher = el("button", "launcher", "Chat with us");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "sb-panel");
  var panel = el("section", "panel");
  panel.id = "sb-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Chat with " + cfg.store);
  var header = el("header");
  var title = el("h2", null, cfg.store);
  var status = el("span", "status", "Assistant");
  title.appendChild(status);
  var closeBtn = el("button", "close", "\u00d7");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", "Close chat");
  header.appendChild(title);
  header.appendChild(closeBtn);
  var log = el("ol", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "Conversation");
  var typing = el("div", "typing");
  typing.setAttribute("aria-live", "polite");
  var quick = el("div", "quick");
  var bar = el("div", "bar");
  var humanBtn = el("button", "human", "Talk to a person");
  humanBtn.type = "button";
  var backBtn = el("button", "back", "Back to the assistant");
  backBtn.type = "button";
  backBtn.hidden = true;
  bar.appendChild(humanBtn);
  bar.appendChild(backBtn);
  var afterHours = el("form", "box after-hours");
  afterHours.hidden = true;
  var ahLabel = el("label", null, "No one is online right now. Leave your email and we'll get back to you:");
  var ahInput = el("input");
  ahInput.type = "email";
  ahInput.required = true;
  ahInput.autocomplete = "email";
  ahInput.setAttribute("aria-label", "Your email");
  ahLabel.appendChild(ahInput);
  var ahBtn = el("button", null, "Send");
  ahBtn.type = "submit";
  afterHours.appendChild(ahLabel);
  afterHours.appendChild(ahBtn);
  var csat = el("div", "box csat");
  csat.hidden = true;
  csat.setAttribute("role", "group");
  csat.setAttribute("aria-label", "Rate this conversation");
  csat.appendChild(el("span", null, "How did we do? "));
  [1, 2, 3, 4, 5].forEach(function (n) {
    var b = el("button", null, String(n));
    b.type = "button";
    b.setAttribute("aria-label", n + " out of 5");
    b.addEventListener("click", function () { send({ type: "csat", score: n }); });
    csat.appendChild(b);
  });
  var form = el("form", "composer");
  var input = el("textarea");
  input.setAttribute("aria-label", "Type your message");
  input.placeholder = "Type your message\u2026";
  input.maxLength = 2000;
  var sendBtn = el("button", "send", "Send");
  sendBtn.type = "submit";
  form.appendChild(input);
  form.appendChild(sendBtn);
  [header, log, typing, quick, bar, afterHours, csat, form].forEach(function (n) { panel.appendChild(n); });
  wrap.appendChild(launcher);
  wrap.appendChild(panel);
  shadow.appendChild(wrap);

  // --- state ---------------------------------------------------------------------------------
  var ws = null, ready = false, backoff = 500, token = load(TOKEN_KEY), owner = "bot";
  var outbox = [];
  try { outbox = JSON.parse(load(OUTBOX_KEY) || "[]"); } catch (e) { outbox = []; }
  var shown = {};       // message ids already in the log
  var bubbles = {};     // client_msg_id -> element of the shopper's own message
  var streams = {};     // reply_to -> element being streamed into

  function saveOutbox() { store(OUTBOX_KEY, outbox.length ? JSON.stringify(outbox) : null); }
  function scroll() { log.scrollTop = log.scrollHeight; }

  function bubble(role, text, who) {
    var li = el("li", "msg " + role);
    if (who) li.appendChild(el("span", "who", who));
    var body = el("span", "body", text);
    li.appendChild(body);
    log.appendChild(li);
    scroll();
    return li;
  }

  function renderMessage(m) {
    if (m.id && shown[m.id]) return;
    if (m.role === "shopper" && m.client_msg_id && bubbles[m.client_msg_id]) {
      if (m.id) shown[m.id] = true;
      return; // our own message, already on screen
    }
    if (m.id) shown[m.id] = true;
    var li;
    if (m.role === "assistant" && m.reply_to && streams[m.reply_to]) {
      li = streams[m.reply_to];
      delete streams[m.reply_to];
      li.querySelector(".body").textContent = m.text;
      li.classList.remove("streaming");
      li.removeAttribute("aria-busy");
    } else {
      var who = m.role === "agent" ? (m.agent_name || "Agent") : m.role === "assistant" ? "Assistant" : null;
      li = bubble(m.role, m.text, who);
      if (m.role === "shopper" && m.client_msg_id) bubbles[m.client_msg_id] = li;
    }
    if (m.citations && m.citations.length) {
      var c = el("span", "cites");
      m.citations.forEach(function (ci) {
        if (typeof ci.href !== "string" || ci.href.charAt(0) !== "/") return; // only our own pages
        var a = el("a", null, ci.label);
        a.href = base + ci.href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        c.appendChild(a);
      });
      li.appendChild(c);
    }
    if (m.role === "assistant" || m.role === "agent") {
      typing.textContent = "";
      showQuick(m.quick_replies || []);
    }
    scroll();
  }

  function showQuick(list) {
    quick.textContent = "";
    list.forEach(function (q) {
      if (/^talk to a (person|human)/i.test(q) && !humanBtn.hidden) return; // the bar already offers it
      var b = el("button", null, q);
      b.type = "button";
      b.addEventListener("click", function () {
        if (/^talk to a (person|human)/i.test(q)) requestHuman(); else sendText(q);
      });
      quick.appendChild(b);
    });
  }

  function applyState(s) {
    owner = s.owner;
    var names = { bot: "Assistant", queue: "Connecting you to a person\u2026", closed: "Conversation resolved" };
    status.textContent = owner === "agent" ? "You're chatting with " + (s.agent_name || "an agent") : (names[owner] || "");
    humanBtn.hidden = owner === "queue" || owner === "agent";
    backBtn.hidden = owner !== "queue";
    afterHours.hidden = !(owner === "queue" && s.agents_online === false && !s.contact_email_left);
    csat.hidden = !(owner === "closed" && !s.csat);
    if (owner !== "bot") {
      // A person has the conversation: drop any half-streamed bot answer.
      Object.keys(streams).forEach(function (k) { streams[k].remove(); delete streams[k]; });
      typing.textContent = "";
    }
  }

  // --- websocket -----------------------------------------------------------------------------
  function connect() {
    if (ws && (ws.readyState === 0 || ws.readyState === 1)) return;
    ws = new WebSocket(base.replace(/^http/, "ws") + "/ws/chat/");
    ws.onopen = function () {
      backoff = 500;
      ws.send(JSON.stringify({ type: "hello", conversation_token: token || null, customer_token: cfg.customerToken || null }));
    };
    ws.onmessage = function (ev) {
      var d;
      try { d = JSON.parse(ev.data); } catch (e) { return; }
      onFrame(d);
    };
    ws.onclose = function () {
      ready = false;
      var wait = backoff + Math.random() * 300;
      backoff = Math.min(backoff * 2, 15000);
      setTimeout(connect, wait);
    };
  }

  function send(obj) {
    if (ws && ready && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
    return false;
  }

  function flushOutbox() {
    outbox.forEach(function (m) { send({ type: "message", client_msg_id: m.id, text: m.text }); });
  }

  function onFrame(d) {
    switch (d.type) {
      case "welcome":
        if (token && token !== d.conversation_token) { log.textContent = ""; shown = {}; }
        token = d.conversation_token;
        store(TOKEN_KEY, token);
        ready = true;
        if (!log.childNodes.length) bubble("assistant greeting", cfg.greeting, "Assistant");
        d.history.forEach(renderMessage);
        outbox.forEach(function (m) { if (!bubbles[m.id]) bubbles[m.id] = bubble("shopper sending", m.text); });
        applyState(d.state);
        flushOutbox(); // resend whatever was not acknowledged before the connection dropped
        break;
      case "ack":
        outbox = outbox.filter(function (m) { return m.id !== d.client_msg_id; });
        saveOutbox();
        if (bubbles[d.client_msg_id]) bubbles[d.client_msg_id].classList.remove("sending", "failed");
        if (d.message_id) shown[d.message_id] = true;
        break;
      case "message":
        renderMessage(d);
        break;
      case "token":
        if (owner !== "bot") break;
        var s = streams[d.reply_to];
        if (!s) {
          s = streams[d.reply_to] = bubble("assistant streaming", "", "Assistant");
          s.setAttribute("aria-busy", "true"); // screen readers announce the answer once, when whole
          typing.textContent = "";
          quick.textContent = "";
        }
        s.querySelector(".body").textContent += d.text;
        scroll();
        break;
      case "typing":
        if (d.on && d.reply_to && streams[d.reply_to]) streams[d.reply_to].querySelector(".body").textContent = "";
        typing.textContent = d.on ? (d.who === "agent" ? "Agent" : "Assistant") + " is typing\u2026" : "";
        break;
      case "state":
        applyState(d);
        break;
      case "csat_saved":
        csat.hidden = true;
        bubble("system", "Thanks for your feedback!");
        break;
      case "error":
        if ((d.code === "rate_limited" || d.code === "unavailable") && d.client_msg_id) {
          setTimeout(flushOutbox, 3000); // still in the outbox: try again
        } else if (d.code === "too_large") {
          bubble("system", "That message is too long.");
        }
        break;
    }
  }

  // --- actions -------------------------------------------------------------------------------
  function newId() { return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10); }

  function sendText(text) {
    text = text.trim();
    if (!text) return;
    var m = { id: newId(), text: text.slice(0, 2000) };
    outbox.push(m);
    saveOutbox();
    bubbles[m.id] = bubble("shopper sending", m.text);
    quick.textContent = "";
    send({ type: "message", client_msg_id: m.id, text: m.text });
  }

  function requestHuman() { send({ type: "handoff" }); }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    sendText(input.value);
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  humanBtn.addEventListener("click", requestHuman);
  backBtn.addEventListener("click", function () { send({ type: "back_to_assistant" }); });
  afterHours.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (send({ type: "contact_email", email: ahInput.value })) afterHours.hidden = true;
  });

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    store(OPEN_KEY, "1");
    connect();
    input.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    store(OPEN_KEY, null);
    launcher.focus();
  }
  launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", function (ev) { if (ev.key === "Escape") close(); });

  function mount() {
    document.body.appendChild(host);
    if (load(OPEN_KEY)) open();
    else if (token) connect(); // an ongoing conversation: keep receiving replies
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
  window.Supportbot = { open: open, close: close };
})();
