// mente web: optional comfort only; every page works without this file (the page opens at the
// newest messages through the #latest anchor). Plain ES5: old phones and in-app browsers too.
(function () {
  "use strict";
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };
  var box = document.getElementById("t");
  if (box && box.form) {
    // Enter sends, Shift+Enter starts a new line (what people expect from chat apps).
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        if (box.value.replace(/\s+/g, "") === "") { return; }
        if (box.form.requestSubmit) { box.form.requestSubmit(); } else { box.form.submit(); }
      }
    });
  }
  // A second tap while the next page loads must not send the message twice.
  each(document.querySelectorAll("form[method=post]"), function (form) {
    form.addEventListener("submit", function (e) {
      if (form.getAttribute("data-sent")) { e.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
    });
  });
  // Coming back with the back button shows the cached page: allow sending again.
  window.addEventListener("pageshow", function () {
    each(document.querySelectorAll("form[data-sent]"), function (f) { f.removeAttribute("data-sent"); });
  });
})();
