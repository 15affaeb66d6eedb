// trakt-sync's page: live progress of a sync and of a Trakt login, by polling /api/.
// Plain script, no framework; the page works without it (forms post and redirect).
"use strict";

(function () {
  function poll(url, every, onData) {
    var stopped = false;
    function tick() {
      if (stopped) return;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          var next = data ? onData(data) : every;
          if (next === false) { stopped = true; return; }
          setTimeout(tick, typeof next === "number" ? next : every);
        })
        .catch(function () { setTimeout(tick, every * 3); });
    }
    tick();
  }

  function describe(state) {
    if (!state.running) return "";
    if (state.elsewhere && !state.stage) return "A sync of this profile is running (started elsewhere).";
    var what = state.dry_run ? "Dry run" : "Sync";
    if (!state.stage) return what + " starting…";
    var total = state.total ? "/" + state.total : "";
    return what + " running — " + state.stage + ": " + state.done + total;
  }

  document.querySelectorAll("[data-poll-sync]").forEach(function (box) {
    var profile = box.getAttribute("data-poll-sync");
    var wasRunning = box.getAttribute("data-running") === "true";
    var bar = document.createElement("progress");
    var text = document.createElement("p");
    text.className = "progress-text";
    poll("/api/sync?profile=" + encodeURIComponent(profile), 500, function (state) {
      if (state.running) {
        wasRunning = true;
        box.replaceChildren(text, bar);
        text.textContent = describe(state);
        if (state.total) { bar.max = state.total; bar.value = state.done; } else { bar.removeAttribute("value"); }
        bar.setAttribute("aria-label", "Sync progress");
        return 500;
      }
      if (wasRunning) { window.location.reload(); return false; }
      return 3000;  // idle: look now and then for a sync started elsewhere
    });
  });

  document.querySelectorAll("[data-poll-login]").forEach(function (box) {
    var profile = box.getAttribute("data-poll-login");
    poll("/api/login/trakt?profile=" + encodeURIComponent(profile), 1000, function (state) {
      if (!state.waiting) { window.location.reload(); return false; }
      return true;
    });
  });

  var select = document.querySelector(".profile-switch select");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
})();
