// Rapport's small behaviours. Pages work without this file; it only adds comfort.
(function () {
  "use strict";

  // After htmx swaps a region, tell screen-reader users and keep focus where it makes sense.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-focus-after-swap")) {
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: false });
    }
  });
})();
