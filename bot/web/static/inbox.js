// The inbox pages, live: the list reloads when a conversation arrives or changes; a conversation's history and
// notes are swapped in when it changes (Server-Sent Events), the reply being typed is kept in this browser
// (also across an expired session).
(function () {
  "use strict";
  var page = document.getElementById("conversation");
  if (page) {
    var reply = document.getElementById("reply");
    var key = reply.dataset.key;
    try {
      if (!reply.value) { reply.value = localStorage.getItem(key) || ""; }
    } catch (e) { /* private mode: nothing kept */ }
    var canned = {};
    document.querySelectorAll("#canned-list li").forEach(function (item) {
      canned[item.dataset.shortcut] = item.textContent;
    });
    reply.addEventListener("input", function () {
      var typed = /^\/([a-z0-9_-]+)\s$/.exec(reply.value);  // "/kks " becomes that canned reply
      if (typed && canned[typed[1]] !== undefined) { reply.value = canned[typed[1]]; }
      try { localStorage.setItem(key, reply.value); } catch (e) {}
    });
    document.getElementById("reply-form").addEventListener("submit", function () {
      try { localStorage.removeItem(key); } catch (e) {}
    });
    if (window.EventSource) {
      var source = new EventSource("/inbox/" + page.dataset.id + "/events?since=" +
                                   encodeURIComponent(page.dataset.mark));
      source.addEventListener("changed", function () {
        fetch("/inbox/" + page.dataset.id + "/live", {credentials: "same-origin"}).then(function (answer) {
          if (answer.status === 401) { window.location.href = "/login"; return null; }
          return answer.ok ? answer.text() : null;
        }).then(function (html) {
          if (html !== null && html !== undefined) { document.getElementById("live").innerHTML = html; }
        });
      });
    }
  }
  var list = document.getElementById("inbox-list");
  if (list && window.EventSource) {
    var events = new EventSource("/inbox/events?since=" + encodeURIComponent(list.dataset.mark));
    events.addEventListener("changed", function () { window.location.reload(); });
  }
})();
