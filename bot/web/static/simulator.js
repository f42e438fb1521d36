"use strict";
// Web chat simulator. Everything shown is escaped first; only WhatsApp markup (*bold*, _italic_,
// ~strike~) is then turned into tags, so text from users can never become HTML.
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("form");
  const input = document.getElementById("text");
  const agency = document.getElementById("agency");
  const AGENCY_KEY = "dinsos-sim-agency";

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
            .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  function whatsapp(s) {
    return escapeHtml(s)
      .replace(/\*([^*\n]+)\*/g, "<b>$1</b>")
      .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,!?:;])/g, "$1<i>$2</i>")
      .replace(/~([^~\n]+)~/g, "<s>$1</s>");
  }
  function bubble(direction, text, choices) {
    const div = document.createElement("div");
    div.className = "msg " + direction;
    if (direction === "in") { div.textContent = text; } else { div.innerHTML = whatsapp(text); }
    if (choices && choices.length) {
      const row = document.createElement("div");
      row.className = "choices";
      choices.forEach(function (c) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = /^[0-9]+$/.test(c.key) ? c.key + ". " + c.label : c.label;  // "1. Ya"; a word key: its label
        b.addEventListener("click", function () { send(c.key); });
        row.appendChild(b);
      });
      div.appendChild(row);
    }
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
  function follow(slug) {
    // The selector shows the region the bot has recorded for this conversation.
    agency.value = slug || "";
    if (slug) { localStorage.setItem(AGENCY_KEY, slug); } else { localStorage.removeItem(AGENCY_KEY); }
  }
  async function send(text) {
    bubble("in", text);
    try {
      const res = await fetch("/api/simulator/messages", {
        method: "POST", headers: {"Content-Type": "application/json"}, credentials: "same-origin",
        body: JSON.stringify({text: text, agency: agency.value || null}),
      });
      if (!res.ok) {
        let note = "Pesan tidak terkirim (" + res.status + "). Coba lagi.";
        if (res.status === 429 || res.status === 503) {
          try { note = (await res.json()).detail || note; } catch (e) { /* keep the general note */ }
        }
        bubble("error", note);
        return;
      }
      const data = await res.json();
      data.replies.forEach(function (r) { bubble("out", r.text, r.choices); });
      follow(data.agency);
    } catch (e) {
      bubble("error", "Tidak dapat terhubung ke server. Periksa koneksi lalu coba lagi.");
    }
  }
  async function start() {
    const res = await fetch("/api/simulator/agencies");
    (await res.json()).forEach(function (a) {
      const o = document.createElement("option");
      o.value = a.slug; o.textContent = a.region;
      agency.appendChild(o);
    });
    agency.value = localStorage.getItem(AGENCY_KEY) || "";
    const hist = await fetch("/api/simulator/history", {credentials: "same-origin"});
    if (hist.ok) {
      const data = await hist.json();
      data.messages.forEach(function (m, i) {
        // Only the last message's buttons still answer a question; older ones are shown without them.
        bubble(m.direction, m.text, i === data.messages.length - 1 ? m.choices : []);
      });
      if (data.messages.length) { follow(data.agency); }
    }
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    const text = input.value;
    if (!text.trim()) { return; }
    input.value = "";
    send(text);
  });
  agency.addEventListener("change", function () { follow(agency.value); });
  document.getElementById("reset").addEventListener("click", async function () {
    await fetch("/api/simulator/reset", {method: "POST", credentials: "same-origin"});
    log.innerHTML = "";
    follow("");
    input.focus();
  });
  start();
}());
