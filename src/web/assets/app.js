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
  // Hand-off (issue 18). The chat page asks for staff replies while a hand-off is open.
  var log = document.querySelector("[data-poll]");
  if (log && window.fetch) {
    var poll = function () {
      fetch(log.getAttribute("data-poll"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (news) {
          if (!news) { return; }
          news.messages.forEach(function (text) {
            var li = document.createElement("li");
            li.className = "bot staff-reply";
            li.textContent = text;
            log.appendChild(li);
            li.scrollIntoView();
          });
          if (!news.open) { clearInterval(timer); }
        })["catch"](function () {});
    };
    var timer = setInterval(poll, 3000);
  }
  // The console's live part (inbox, thread) reloads in place; the reply box is outside it.
  var live = document.querySelector("[data-refresh]");
  if (live && window.fetch && window.DOMParser) {
    setInterval(function () {
      fetch(location.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-refresh]");
          if (fresh && fresh.innerHTML !== live.innerHTML) { live.innerHTML = fresh.innerHTML; }
        })["catch"](function () {});
    }, 1000 * Number(live.getAttribute("data-refresh")));
  }
  // 插入回复: the FAQ answer goes into the reply box without leaving the page.
  var reply = document.getElementById("reply");
  each(document.querySelectorAll("a.insert"), function (a) {
    a.addEventListener("click", function (e) {
      if (!reply) { return; }
      e.preventDefault();
      reply.value = (reply.value ? reply.value + "\n" : "") + a.getAttribute("data-text");
      reply.focus();
    });
  });
})();
