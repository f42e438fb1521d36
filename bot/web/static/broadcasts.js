// Broadcast pages: the composer's character count, WhatsApp-style preview and a draft kept in this browser
// (a session that expired loses nothing); a broadcast's progress, live from its Server-Sent Events.
(function () {
  "use strict";
  var form = document.getElementById("compose");
  if (form) {
    var text = document.getElementById("text"), count = document.getElementById("count");
    var preview = document.getElementById("preview"), agency = document.getElementById("agency");
    var limit = Number(form.dataset.limit), key = "dinsos-broadcast-draft";
    var update = function () {
      var name = agency.options[agency.selectedIndex] ? agency.options[agency.selectedIndex].dataset.name : "";
      count.textContent = text.value.length + "/" + limit + " karakter";
      preview.textContent = "📢 Pengumuman " + name + "\n\n" + text.value +
        "\n\nKetik BERHENTI bila tidak ingin menerima pengumuman lagi.";
      try { localStorage.setItem(key, text.value); } catch (e) { /* private mode: nothing kept */ }
    };
    if (!text.value) {
      try { text.value = localStorage.getItem(key) || ""; } catch (e) { /* nothing kept */ }
    }
    text.addEventListener("input", update);
    agency.addEventListener("change", update);
    form.addEventListener("submit", function () { try { localStorage.removeItem(key); } catch (e) {} });
    update();
  }
  var page = document.getElementById("broadcast");
  if (page && page.dataset.live === "yes" && window.EventSource) {
    var source = new EventSource("/admin/broadcasts/" + page.dataset.id + "/events");
    source.addEventListener("progress", function (event) {
      var data = JSON.parse(event.data);
      document.querySelectorAll("[data-count]").forEach(function (cell) {
        cell.textContent = data[cell.dataset.count];
      });
      var bar = document.getElementById("bar");
      bar.max = data.total || 1;
      bar.value = data.sent + data.failed + data.skipped;
      document.getElementById("state").textContent = data.status_words;
      document.getElementById("reason").textContent = data.reason;
      if (data.status !== page.dataset.status) {  // the actions change with the state
        source.close();
        window.location.reload();
      }
    });
  }
})();
