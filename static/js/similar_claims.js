/*
 * The claim page's "Similar claims" panel (editorial/admin/similar.py), refreshed as the statement is typed.
 *
 * A pause in typing fetches the claims worded like the statement from the panel's endpoint; its
 * answer holds the panel's rows already rendered (and escaped) by the server, the same rows the
 * page shows without JavaScript. Only the newest request is shown: an older answer arriving late
 * is dropped. A failed fetch leaves a quiet note and nothing else: the panel never stands in the
 * way of saving the claim.
 */
(function () {
  "use strict";

  const PAUSE_MS = 400;
  const MIN_LENGTH = 12;

  function init(panel) {
    const statement = document.getElementById("id_statement");
    const rows = panel.querySelector("[data-similar-rows]");
    const status = panel.querySelector("[data-similar-status]");
    if (!statement || !rows || !panel.dataset.url) return;
    let timer = null;
    let controller = null;
    let shown = statement.value.trim();

    async function refresh() {
      const text = statement.value.trim();
      if (text === shown) return;
      if (controller) controller.abort();
      if (text.length < MIN_LENGTH) return;
      controller = new AbortController();
      const params = new URLSearchParams({ statement: text });
      if (panel.dataset.exclude) params.set("exclude", panel.dataset.exclude);
      status.textContent = "Looking for similar claims…";
      try {
        const response = await fetch(panel.dataset.url + "?" + params.toString(), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          signal: controller.signal,
        });
        if (!response.ok) throw new Error("HTTP " + response.status);
        const data = await response.json();
        rows.innerHTML = data.html; // rendered and escaped by the server's template
        shown = text;
        const found = data.similar.length;
        const duplicates = data.similar.filter(function (item) {
          return item.duplicate;
        }).length;
        status.textContent = found
          ? found + " similar claim" + (found === 1 ? "" : "s") + (duplicates ? ", " + duplicates + " likely duplicate" + (duplicates === 1 ? "" : "s") : "") + "."
          : "";
      } catch (error) {
        if (error.name === "AbortError") return;
        status.textContent = "Similar claims could not be checked just now. Saving is not affected.";
      }
    }

    statement.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, PAUSE_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-similar-claims]").forEach(init);
  });
})();
