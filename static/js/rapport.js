// Rapport's small behaviours. Pages work without this file; it only adds comfort.
(function () {
  "use strict";

  // After htmx swaps a region: a new page of results takes focus (and the view) to its top;
  // a filter change leaves focus and the scroll position where they were, and the status
  // line tells screen-reader users what changed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!target || !target.hasAttribute("data-focus-after-swap")) {
      return;
    }
    if (trigger && trigger.hasAttribute && trigger.hasAttribute("data-focus-results")) {
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: false });
    }
  });
})();
