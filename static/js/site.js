// Trusted Source disclosures: a button toggles its panel; Escape closes it and returns focus.
(function () {
  "use strict";

  function panelFor(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function setOpen(button, open) {
    var panel = panelFor(button);
    if (!panel) return;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panel.hidden = !open;
  }

  function openButtons() {
    return document.querySelectorAll('.ts-toggle[aria-expanded="true"]');
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".ts-toggle");
    if (button) {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
      return;
    }
    if (!event.target.closest(".ts-panel")) {
      openButtons().forEach(function (open) { setOpen(open, false); });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var inside = event.target.closest && event.target.closest(".trusted-source");
    openButtons().forEach(function (button) {
      setOpen(button, false);
      if (inside && inside.contains(button)) button.focus();
    });
  });
})();
