// Rapport's small behaviours. Pages work without this file; it only adds comfort.
(function () {
  "use strict";

  // After htmx swaps a region: a new page of results (Next, Previous) puts its first card at
  // the top of the view and focus on that card's heading; a filter change leaves focus and
  // the scroll position where they were, and the status line tells screen-reader users what
  // changed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!target || !target.hasAttribute("data-focus-after-swap")) {
      return;
    }
    if (!(trigger && trigger.hasAttribute && trigger.hasAttribute("data-focus-results"))) {
      return;
    }
    var card = target.querySelector(".result");
    var heading = card && card.querySelector("h3");
    if (!heading) {
      heading = target.querySelector("h2");
      card = heading;
    }
    if (!heading) {
      return;
    }
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
    card.scrollIntoView({ block: "start" });
  });

  // The phone menu (a <details> disclosure) closes on Escape, with focus back on its button,
  // and when focus or a tap leaves it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menu = document.activeElement && document.activeElement.closest(".site-menu[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    var open = document.querySelector(".site-menu[open]");
    if (open && !open.contains(event.target)) {
      open.open = false;
    }
  });

  // A save that would send a verified license back to review comes back asking first: take
  // the reader to that question.
  document.addEventListener("DOMContentLoaded", function () {
    var confirm = document.getElementById("confirm-review");
    if (confirm) {
      confirm.focus();
    }
  });
})();
