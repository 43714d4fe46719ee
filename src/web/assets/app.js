// mente web: optional comfort only; every page works without this file (the page opens at the
// newest messages through the #latest anchor).
(function () {
  "use strict";
  var box = document.getElementById("t");
  if (box) {
    // Enter sends, Shift+Enter starts a new line (what people expect from chat apps).
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        if (box.value.trim() !== "") { box.form.requestSubmit(); }
      }
    });
  }
  // A second tap while the page is loading must not send the message twice.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.dataset.sent) { e.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
  // Coming back with the browser's back button shows a page from the cache: allow sending again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent]").forEach(function (f) { delete f.dataset.sent; });
  });
})();
