/*
 * Citation picker for the claim page in the admin.
 *
 * The editor chooses a source, its current revision's text is shown, they select a passage with
 * the mouse and press "Cite selection": the next empty citation row is filled with the revision,
 * the excerpt, its start and end, and up to 32 characters of context either side.
 *
 * Offsets are Unicode code points, the way Python indexes strings, not the UTF-16 code units a
 * browser counts in: a character outside the Basic Multilingual Plane (𝔅, an emoji) is one code
 * point but two UTF-16 units, so every offset is converted before it is written.
 */
(function () {
  "use strict";

  const CONTEXT = 32;

  function codePoints(text) {
    return Array.from(text);
  }

  function codePointLength(text) {
    let n = 0;
    for (const _ of text) n += 1; // eslint-disable-line no-unused-vars
    return n;
  }

  function init(picker) {
    const select = picker.querySelector("[data-picker-source]");
    const textBox = picker.querySelector("[data-picker-text]");
    const button = picker.querySelector("[data-picker-cite]");
    const status = picker.querySelector("[data-picker-status]");
    const group = document.getElementById(picker.dataset.inlineGroup);
    const prefix = picker.dataset.inlinePrefix;
    let current = null;

    function say(message, isError) {
      status.textContent = message;
      status.classList.toggle("errornote", Boolean(isError));
    }

    async function load() {
      current = null;
      textBox.textContent = "";
      button.disabled = true;
      if (!select.value) {
        say("Choose a source to show its text.");
        return;
      }
      say("Loading…");
      try {
        const url = picker.dataset.textUrl.replace("/0/", "/" + encodeURIComponent(select.value) + "/");
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error("the server answered " + response.status);
        current = await response.json();
      } catch (error) {
        say("Could not load the source text: " + error.message, true);
        return;
      }
      // textContent, never innerHTML: the source text is shown as text, whatever it contains.
      textBox.textContent = current.text;
      button.disabled = false;
      say("Showing " + current.label + ". Select a passage, then press “Cite selection”.");
    }

    function selection() {
      const sel = window.getSelection();
      if (!current || !sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
      const range = sel.getRangeAt(0);
      if (!textBox.contains(range.startContainer) || !textBox.contains(range.endContainer)) return null;
      const before = document.createRange();
      before.selectNodeContents(textBox);
      before.setEnd(range.startContainer, range.startOffset);
      const startUnits = before.toString().length;
      let selected = range.toString();
      const endUnits = startUnits + selected.length;
      // Drop white space the mouse picked up at either end.
      const leading = selected.length - selected.trimStart().length;
      const trailing = selected.length - selected.trimEnd().length;
      const text = current.text;
      const excerptUnits = [startUnits + leading, endUnits - trailing];
      if (excerptUnits[1] <= excerptUnits[0]) return null;
      const excerpt = text.slice(excerptUnits[0], excerptUnits[1]);
      const start = codePointLength(text.slice(0, excerptUnits[0]));
      const end = start + codePointLength(excerpt);
      const all = codePoints(text);
      return {
        excerpt: excerpt,
        start: start,
        end: end,
        prefix: all.slice(Math.max(0, start - CONTEXT), start).join(""),
        suffix: all.slice(end, end + CONTEXT).join(""),
      };
    }

    function field(row, name) {
      return row.querySelector('[name$="-' + name + '"]');
    }

    function emptyRow() {
      const rows = Array.from(group.querySelectorAll(".inline-related, tr.form-row")).filter(function (row) {
        return !row.classList.contains("empty-form") && !(row.id || "").endsWith("-empty") && field(row, "excerpt");
      });
      return rows.find(function (row) {
        return !field(row, "excerpt").value && !field(row, "revision").value;
      });
    }

    function cite() {
      const picked = selection();
      if (!picked) {
        say("Select a passage inside the source text first.", true);
        return;
      }
      let row = emptyRow();
      if (!row) {
        const add = group.querySelector(".add-row a");
        if (add) add.click();
        row = emptyRow();
      }
      if (!row) {
        say("No empty citation row is left; save the claim and add more.", true);
        return;
      }
      const values = {
        revision: current.revision_id,
        excerpt: picked.excerpt,
        start: picked.start,
        end: picked.end,
        prefix: picked.prefix,
        suffix: picked.suffix,
      };
      Object.keys(values).forEach(function (name) {
        const input = field(row, name);
        if (!input) return;
        input.value = values[name];
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      say("Cited code points " + picked.start + "–" + picked.end + " of " + current.label + ". Save to keep it.");
      field(row, "excerpt").focus();
    }

    select.addEventListener("change", load);
    // Keep the passage selected while the button is pressed.
    button.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    button.addEventListener("click", cite);
    picker.hidden = false;
    if (prefix && select.value) load();
    else say("Choose a source to show its text.");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-citation-picker]").forEach(init);
  });
})();
