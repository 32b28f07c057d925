/*
 * Citation picker for the claim page in the admin.
 *
 * The editor chooses a source, its current revision's text is shown, they select a passage with
 * the mouse and press "Cite selection": the next empty citation row is filled with the source, the
 * revision's number, the excerpt, its start and end, and up to 32 characters of context either side.
 *
 * The text scrolls inside a box, so a small "Cite selection" button floats at the end of the
 * selection, inside the box's visible part, as annotation tools place theirs; it follows the
 * selection and the scrolling, comes next after the text in the tab order, and Escape hides it.
 * The button beside the source list does the same from anywhere.
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
    const stage = picker.querySelector("[data-picker-stage]");
    const floating = picker.querySelector("[data-picker-float]");
    const status = picker.querySelector("[data-picker-status]");
    const group = document.getElementById(picker.dataset.inlineGroup);
    const prefix = picker.dataset.inlinePrefix;
    let current = null;
    // The selection Escape (or citing it) put away: its button stays hidden until the selection changes.
    let dismissed = null;

    function say(message, isError) {
      status.textContent = message;
      status.classList.toggle("errornote", Boolean(isError));
    }

    async function load() {
      current = null;
      textBox.textContent = "";
      button.disabled = true;
      floating.hidden = true;
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
      say("Showing " + current.label + ". Select a passage, then press “Cite selection” by it or above.");
    }

    function selectedRange() {
      const sel = window.getSelection();
      if (!current || !sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
      const range = sel.getRangeAt(0);
      if (!textBox.contains(range.startContainer) || !textBox.contains(range.endContainer)) return null;
      return range;
    }

    function unitsBefore(container, offset) {
      const before = document.createRange();
      before.selectNodeContents(textBox);
      before.setEnd(container, offset);
      return before.toString().length;
    }

    function rangeKey(range) {
      return unitsBefore(range.startContainer, range.startOffset) + ":" + unitsBefore(range.endContainer, range.endOffset);
    }

    function selection() {
      const range = selectedRange();
      if (!range) return null;
      const startUnits = unitsBefore(range.startContainer, range.startOffset);
      const selected = range.toString();
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

    function hideFloating() {
      const hadFocus = document.activeElement === floating;
      floating.hidden = true;
      if (hadFocus) textBox.focus({ preventScroll: true });
    }

    // Put the floating button just below the end of the selection (above it at the box's foot),
    // kept inside the part of the text box that is scrolled into view.
    function placeFloating() {
      const range = selectedRange();
      const key = range && range.toString().trim() ? rangeKey(range) : null;
      if (key !== dismissed) dismissed = null; // a new selection brings the button back
      if (key === null || key === dismissed) {
        hideFloating();
        return;
      }
      const box = textBox.getBoundingClientRect();
      const top = box.top + textBox.clientTop;
      const left = box.left + textBox.clientLeft;
      const bottom = top + textBox.clientHeight;
      const right = left + textBox.clientWidth;
      const lines = Array.from(range.getClientRects()).filter(function (rect) {
        return rect.width > 0 && rect.bottom > top && rect.top < bottom;
      });
      if (lines.length === 0) {
        hideFloating(); // the whole selection is scrolled out of view
        return;
      }
      const end = lines[lines.length - 1];
      floating.hidden = false;
      const width = floating.offsetWidth;
      const height = floating.offsetHeight;
      let y = end.bottom + 4;
      if (y + height > bottom) y = end.top - height - 4;
      const x = Math.min(Math.max(end.right - width / 2, left), right - width);
      y = Math.min(Math.max(y, top), bottom - height);
      const origin = stage.getBoundingClientRect();
      // CSSOM properties, which a Content-Security-Policy without 'unsafe-inline' allows.
      floating.style.left = x - origin.left + "px";
      floating.style.top = y - origin.top + "px";
    }

    let placing = false;
    function schedulePlacing() {
      if (placing) return;
      placing = true;
      window.requestAnimationFrame(function () {
        placing = false;
        placeFloating();
      });
    }

    function dismiss() {
      const range = selectedRange();
      dismissed = range ? rangeKey(range) : null;
      hideFloating();
    }

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

    // The source field is an autocomplete: a select holding only the chosen option, which select2
    // draws again on "change".
    function chooseSource(input) {
      const value = String(current.source_id);
      if (input.tagName === "SELECT" && !Array.from(input.options).some(function (option) {
        return option.value === value;
      })) {
        input.add(new Option(current.source_label, value));
      }
      input.value = value;
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
      dismiss();
      chooseSource(field(row, "source"));
      const values = {
        source: current.source_id,
        revision_number: current.number,
        excerpt: picked.excerpt,
        start: picked.start,
        end: picked.end,
        prefix: picked.prefix,
        suffix: picked.suffix,
      };
      Object.keys(values).forEach(function (name) {
        const input = field(row, name);
        if (!input) return;
        if (name !== "source") input.value = values[name];
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
    floating.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    floating.addEventListener("click", cite);
    picker.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !floating.hidden) {
        event.preventDefault();
        dismiss();
      }
    });
    document.addEventListener("selectionchange", schedulePlacing);
    textBox.addEventListener("scroll", schedulePlacing);
    window.addEventListener("resize", schedulePlacing);
    picker.hidden = false;
    if (prefix && select.value) load();
    else say("Choose a source to show its text.");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-citation-picker]").forEach(init);
  });
})();
