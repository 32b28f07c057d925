/*
 * Suggested claims in the claim page's citation picker (docs/suggestions.md).
 *
 * When the editor chooses a source in the picker, its suggested claims (the quotations and
 * reported statements found in its current revision, with their speakers) are listed under its
 * text. "Use" fills the next empty citation row with the passage — source, revision number,
 * excerpt, start and end (code points, from the server), context — and, when they are still empty,
 * the claim's statement and its speaker (an existing speaker only; a new one is created from the
 * source page's panel). Everything is shown with textContent: the text is never read as markup.
 */
(function () {
  "use strict";

  function init(picker) {
    const select = picker.querySelector("[data-picker-source]");
    const section = picker.querySelector("[data-picker-suggestions]");
    const list = picker.querySelector("[data-picker-suggestion-list]");
    const status = picker.querySelector("[data-picker-status]");
    const group = document.getElementById(picker.dataset.inlineGroup);
    if (!select || !section || !list || !picker.dataset.suggestionsUrl) return;
    let loaded = null;

    function field(row, name) {
      return row.querySelector('[name$="-' + name + '"]');
    }

    function emptyRow() {
      const rows = Array.from(group.querySelectorAll(".inline-related, tr.form-row")).filter(function (row) {
        return !row.classList.contains("empty-form") && !(row.id || "").endsWith("-empty") && field(row, "excerpt");
      });
      return rows.find(function (row) {
        return !field(row, "excerpt").value && !field(row, "source").value;
      });
    }

    // Autocomplete fields are selects holding only the chosen option, which select2 draws on "change".
    function choose(input, value, label) {
      value = String(value);
      if (input.tagName === "SELECT" && !Array.from(input.options).some(function (option) {
        return option.value === value;
      })) {
        input.add(new Option(label, value));
      }
      input.value = value;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function use(item) {
      let row = emptyRow();
      if (!row) {
        const add = group.querySelector(".add-row a");
        if (add) add.click();
        row = emptyRow();
      }
      if (!row) {
        status.textContent = "No empty citation row is left; save the claim and add more.";
        return;
      }
      choose(field(row, "source"), loaded.source_id, select.options[select.selectedIndex].text);
      const values = {
        revision_number: loaded.revision_number,
        excerpt: item.excerpt,
        start: item.start,
        end: item.end,
        prefix: item.prefix,
        suffix: item.suffix,
      };
      Object.keys(values).forEach(function (name) {
        const input = field(row, name);
        if (!input) return;
        input.value = values[name];
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      const statement = document.getElementById("id_statement");
      if (statement && !statement.value) statement.value = item.statement;
      const speaker = document.getElementById("id_speaker");
      if (speaker && !speaker.value && item.speaker_id) choose(speaker, item.speaker_id, item.speaker);
      status.textContent =
        "Cited code points " + item.start + "–" + item.end + " (" + item.speaker + "). Save to keep it.";
    }

    function show(data) {
      loaded = data;
      list.textContent = "";
      data.suggestions.forEach(function (item) {
        const entry = document.createElement("li");
        entry.className = "citation-picker-suggestion";
        const who = document.createElement("strong");
        who.textContent = item.speaker + (item.speaker_description ? " (" + item.speaker_description + ")" : "");
        const passage = document.createElement("mark");
        passage.textContent = item.excerpt;
        const kind = document.createElement("span");
        kind.className = "help";
        kind.textContent = " " + item.kind + (item.cited ? ", already cited" : "") + " ";
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.textContent = "Use";
        button.setAttribute("aria-label", "Use the passage said by " + item.speaker);
        button.addEventListener("click", function () {
          use(item);
        });
        entry.append(who, ": ", passage, kind, button);
        list.append(entry);
      });
      section.hidden = data.suggestions.length === 0;
    }

    async function load() {
      section.hidden = true;
      list.textContent = "";
      loaded = null;
      if (!select.value) return;
      const url = picker.dataset.suggestionsUrl.replace("/0/", "/" + encodeURIComponent(select.value) + "/");
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return; // the picker's own status reports a source that cannot be read
        show(await response.json());
      } catch (error) {
        section.hidden = true;
      }
    }

    select.addEventListener("change", load);
    if (select.value) load();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-citation-picker]").forEach(init);
  });
})();
