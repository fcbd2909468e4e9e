/* The editor's desk on the article change page (editorial/admin/desk.py):
   - a live preview beside the Markdown body, rendered by the server with the public page's
     renderer and the citations as the form has them, flagging unknown [^key] markers;
   - citation and FAQ forms collapsed to one line each, opened with a button;
   - a control that inserts a citation's [^key] marker at the cursor;
   - DOI and PMID look-up that fills the citation's title, authors, year and source.
   Without JavaScript the page is the plain admin form. */
(function () {
  "use strict";

  var config = document.getElementById("editor-desk");
  var body = document.getElementById("id_body");
  if (!config || !body) return;

  var form = body.form;
  var DEBOUNCE_MS = 350;

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function post(url, data) {
    var payload = new FormData();
    Object.keys(data).forEach(function (name) { payload.append(name, data[name]); });
    return fetch(url, {
      method: "POST",
      body: payload,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () {
        return { error: "The server's answer could not be read (HTTP " + response.status + ")." };
      });
    });
  }

  // --- The citation forms -----------------------------------------------------------------

  function citationRows() {
    return Array.prototype.filter.call(
      document.querySelectorAll("#citations-group .inline-related"),
      function (row) { return !row.classList.contains("empty-form") && row.id !== "citations-empty"; }
    );
  }

  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  function isDeleted(row) {
    var box = field(row, "DELETE");
    return box && box.checked;
  }

  function citationData() {
    return citationRows().filter(function (row) { return !isDeleted(row); }).map(function (row) {
      var get = function (name) { var input = field(row, name); return input ? input.value : ""; };
      return { key: get("key").trim(), source: get("source"), title: get("title"), url: get("url") };
    }).filter(function (c) { return c.key; });
  }

  // --- Layout: the body and its preview side by side ----------------------------------------

  var desk = el("div", { "class": "desk" });
  var editor = el("div", { "class": "desk__editor" });
  body.parentNode.insertBefore(desk, body);
  desk.appendChild(editor);
  editor.appendChild(body);

  var toolbar = el("div", { "class": "desk__toolbar" });
  var keyLabel = el("label", { "for": "desk-cite-key" }, "Cite:");
  var keySelect = el("select", { id: "desk-cite-key" });
  var insertButton = el("button", { type: "button", "class": "button", id: "desk-insert-marker" },
    "Insert marker");
  toolbar.appendChild(keyLabel);
  toolbar.appendChild(keySelect);
  toolbar.appendChild(insertButton);
  editor.insertBefore(toolbar, body);

  var panel = el("section", { "class": "desk__preview", "aria-labelledby": "desk-preview-heading" });
  panel.appendChild(el("h2", { id: "desk-preview-heading" }, "Preview"));
  var status = el("p", { "class": "desk__status", role: "status", id: "desk-preview-status" });
  var problems = el("div", { "class": "desk__problems", id: "desk-preview-problems",
    "aria-live": "polite" });
  var output = el("div", { "class": "desk__output prose", id: "desk-preview-output" });
  panel.appendChild(status);
  panel.appendChild(problems);
  panel.appendChild(output);
  desk.appendChild(panel);

  // --- The preview -------------------------------------------------------------------------

  var timer = null;
  var sent = 0;
  var shown = 0;

  function showProblems(unknown, callouts, kinds) {
    problems.textContent = "";
    if (callouts.length) {
      var note = el("p", { "class": "desk__unknown" });
      note.appendChild(el("strong", {}, "Not a callout: "));
      note.appendChild(document.createTextNode(callouts.map(function (k) { return "::: " + k; }).join(", ") +
        ". It shows as plain text; use " + kinds.map(function (k) { return "::: " + k; }).join(", ") + "."));
      problems.appendChild(note);
    }
    if (!unknown.length) return;
    var box = el("p", { "class": "desk__unknown" });
    box.appendChild(el("strong", {}, "Unknown citation " + (unknown.length === 1 ? "key" : "keys") + ": "));
    box.appendChild(document.createTextNode(unknown.map(function (k) { return "[^" + k + "]"; }).join(", ") +
      ". Add a citation with " + (unknown.length === 1 ? "that key" : "those keys") +
      " below, or correct the marker."));
    problems.appendChild(box);
  }

  function refresh() {
    var number = ++sent;
    status.textContent = "Updating…";
    post(config.dataset.previewUrl, { body: body.value, citations: JSON.stringify(citationData()) })
      .then(function (answer) {
        if (number < shown) return;  // an older answer arriving late
        shown = number;
        if (answer.error) {
          status.textContent = answer.error;
          return;
        }
        output.innerHTML = answer.html;  // sanitised by the server (articles.markdown)
        showProblems(answer.unknown_keys || [], answer.unknown_callouts || [], answer.callout_kinds || []);
        status.textContent = "Preview up to date.";
      })
      .catch(function () {
        status.textContent = "The preview could not be updated (no connection?). Your text is safe; keep typing or save.";
      });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  }

  body.addEventListener("input", schedule);
  form.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("#citations-group")) {
      fillKeys();
      schedule();
    }
  });
  form.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("#citations-group")) {
      fillKeys();
      schedule();
    }
  });

  // Trusted Source controls in the preview open and close as on the public page.
  output.addEventListener("click", function (event) {
    var button = event.target.closest(".ts-toggle");
    if (!button) return;
    var target = document.getElementById(button.getAttribute("aria-controls"));
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    if (target) target.hidden = open;
  });

  // --- Inserting a citation marker -----------------------------------------------------------

  function fillKeys() {
    var chosen = keySelect.value;
    var keys = citationData().map(function (c) { return c.key; });
    keySelect.textContent = "";
    if (!keys.length) keySelect.appendChild(el("option", { value: "" }, "no citations yet"));
    keys.forEach(function (key) {
      var option = el("option", { value: key }, key);
      if (key === chosen) option.selected = true;
      keySelect.appendChild(option);
    });
    insertButton.disabled = !keys.length;
  }

  function insertMarker(key) {
    if (!key) return;
    var marker = "[^" + key + "]";
    var start = body.selectionStart, end = body.selectionEnd;
    body.setRangeText(marker, start, end, "end");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  insertButton.addEventListener("click", function () { insertMarker(keySelect.value); });

  // --- Collapsed citation and FAQ forms --------------------------------------------------------

  function summary(row, group) {
    if (group === "faqs") {
      var question = field(row, "question");
      return (question && question.value) || "New question";
    }
    var get = function (name) { var input = field(row, name); return input ? input.value.trim() : ""; };
    var source = field(row, "source");
    var sourceName = source && source.selectedIndex >= 0 && source.value ?
      source.options[source.selectedIndex].text : "no source";
    var parts = ["[^" + (get("key") || "?") + "]", sourceName, get("title") || "untitled"];
    if (get("year")) parts.push(get("year"));
    return parts.join(" · ");
  }

  function collapsible(row, group) {
    var heading = row.querySelector("h3");
    var fieldset = row.querySelector("fieldset");
    if (!heading || !fieldset || heading.querySelector(".desk__toggle")) return;
    fieldset.id = fieldset.id || row.id + "-fields";
    var toggle = el("button", { type: "button", "class": "desk__toggle",
      "aria-expanded": "true", "aria-controls": fieldset.id });
    var label = heading.querySelector(".inline_label");
    heading.insertBefore(toggle, heading.firstChild);
    if (label) label.hidden = true;
    var kind = heading.querySelector("b");  // "Citation:", said by the group's heading already
    if (kind) kind.hidden = true;
    var text = el("span", { "class": "desk__summary" });
    toggle.appendChild(text);
    var update = function () { text.textContent = summary(row, group); };
    update();
    row.addEventListener("input", update);
    row.addEventListener("change", update);
    if (group === "citations") {
      var cite = el("button", { type: "button", "class": "button desk__cite" }, "Insert marker");
      cite.addEventListener("click", function () { insertMarker((field(row, "key") || {}).value); });
      heading.appendChild(cite);
    }
    var set = function (open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      fieldset.hidden = !open;
      row.classList.toggle("desk--collapsed", !open);
    };
    toggle.addEventListener("click", function () {
      set(toggle.getAttribute("aria-expanded") !== "true");
    });
    // Saved rows start closed; a row with an error, or a new one, starts open.
    var saved = field(row, "id") && field(row, "id").value;
    set(!saved || !!row.querySelector(".errorlist"));
  }

  function setUpGroup(group) {
    var rows = document.querySelectorAll("#" + group + "-group .inline-related");
    Array.prototype.forEach.call(rows, function (row) {
      if (!row.classList.contains("empty-form")) collapsible(row, group);
    });
  }

  setUpGroup("citations");
  setUpGroup("faqs");
  document.addEventListener("formset:added", function (event) {
    var row = event.target;
    var group = row.id && row.id.indexOf("faqs") === 0 ? "faqs" : "citations";
    collapsible(row, group);
    if (group === "citations") addLookup(row);
    fillKeys();
  });

  // --- DOI and PMID look-up ------------------------------------------------------------------

  function addLookup(row) {
    var doi = field(row, "doi"), pmid = field(row, "pmid");
    if (!doi || !pmid || row.querySelector(".desk__lookup")) return;
    var box = el("div", { "class": "desk__lookup" });
    var button = el("button", { type: "button", "class": "button" }, "Look up DOI or PMID");
    var said = el("p", { "class": "desk__lookup-status", role: "status" });
    box.appendChild(button);
    box.appendChild(said);
    var rowOfDoi = doi.closest(".form-row") || doi.parentNode;
    rowOfDoi.parentNode.insertBefore(box, rowOfDoi.nextSibling);
    button.addEventListener("click", function () {
      if (!doi.value.trim() && !pmid.value.trim()) {
        said.textContent = "Type a DOI or a PMID first, then look it up.";
        return;
      }
      button.disabled = true;
      said.textContent = "Looking up…";
      post(config.dataset.lookupUrl, { doi: doi.value, pmid: doi.value.trim() ? "" : pmid.value })
        .then(function (answer) {
          if (answer.error) {
            said.textContent = answer.error;
            return;
          }
          var fields = answer.fields;
          var set = function (name, value) {
            var input = field(row, name);
            if (input && value !== null && value !== undefined && value !== "") input.value = value;
          };
          set("title", fields.title);
          set("authors", fields.authors);
          set("year", fields.year);
          set("doi", fields.doi);
          set("pmid", fields.pmid);
          var url = field(row, "url");
          if (url && !url.value && fields.doi) url.value = "https://doi.org/" + fields.doi;
          var source = field(row, "source");
          if (source && answer.source) {
            var option = Array.prototype.find.call(source.options, function (o) {
              return o.value === String(answer.source.id);
            });
            if (!option) {
              option = new Option(answer.source.name, answer.source.id, true, true);
              source.appendChild(option);
            }
            source.value = String(answer.source.id);
            if (window.django && window.django.jQuery) window.django.jQuery(source).trigger("change");
          }
          said.textContent = answer.message;
          row.dispatchEvent(new Event("change", { bubbles: true }));
        })
        .catch(function () {
          said.textContent = "The look-up could not be made (no connection?). Nothing was changed.";
        })
        .then(function () { button.disabled = false; });
    });
  }

  citationRows().forEach(addLookup);
  fillKeys();
  refresh();
})();
