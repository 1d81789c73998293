/* Similar topics or ideas while a new title is typed (a ".similar-live" box names the
   title field and the fragment URL). Progressive enhancement: without
   JavaScript the same suggestions come on a confirm step after "Post". */
(function () {
  "use strict";

  function setUp(box) {
    var input = document.getElementById(box.getAttribute("data-title"));
    var source = box.getAttribute("data-source");
    if (!input || !source || !window.fetch) {
      return;
    }
    var timer = null;
    var asked = "";

    function show(html) {
      box.innerHTML = html;
      box.hidden = html.trim() === "";
    }

    function ask() {
      var title = input.value.trim();
      if (title === asked) {
        return;
      }
      asked = title;
      if (title.length < 4) {
        show("");
        return;
      }
      var url = source + "?title=" + encodeURIComponent(title);
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          // Only the answer to the latest title counts.
          if (asked === title) {
            show(html);
          }
        })
        .catch(function () {
          show("");
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 400);
    });
    input.addEventListener("blur", ask);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll(".similar-live[data-source]");
    for (var i = 0; i < boxes.length; i++) {
      setUp(boxes[i]);
    }
  });
})();
