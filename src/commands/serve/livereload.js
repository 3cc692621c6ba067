// Live reload for `ismsbook serve` only; `build` output never contains it.
// Long polling: "anything since generation N?" The server answers at once when there is,
// so a page opened just after a rebuild still learns of it.
(function () {
  "use strict";
  // The generation this page was served from, set by the server on the script tag.
  var me = document.currentScript;
  var built = +(me && me.getAttribute("data-generation")) || 0;
  var key = "ismsbook-scroll:" + location.pathname;
  try {
    var y = sessionStorage.getItem(key);
    if (y !== null) {
      sessionStorage.removeItem(key);
      window.addEventListener("load", function () { window.scrollTo(0, +y); });
      window.scrollTo(0, +y);
    }
  } catch (e) { /* storage may be disabled */ }

  function overlay(errors, withErrors) {
    var el = document.getElementById("ismsbook-overlay");
    if (!errors.length) {
      if (el) el.parentNode.removeChild(el);
      return;
    }
    if (!el) {
      el = document.createElement("div");
      el.id = "ismsbook-overlay";
      el.setAttribute("role", "alert");
      el.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;" +
        "background:#2b0b0b;color:#fff;font:13px/1.5 ui-monospace,monospace;padding:12px 16px;" +
        "z-index:2147483647;border-top:3px solid #e5484d";
      document.body.appendChild(el);
    }
    el.textContent = "";
    var title = document.createElement("strong");
    title.textContent = errors.length + (errors.length === 1 ? " error" : " errors") +
      (withErrors ? " in the sources; the pages show the handbook as it is, problems included."
        : " in the sources; this page is the last good build.");
    el.appendChild(title);
    errors.forEach(function (d) {
      var line = document.createElement("div");
      line.className = "ismsbook-problem";
      line.textContent = d.location + ": " + d.severity + "[" + d.code + "]: " + d.message;
      el.appendChild(line);
    });
  }

  var seen = 0;
  function poll() {
    var x = new XMLHttpRequest();
    x.open("GET", "/__ismsbook/poll?since=" + seen, true);
    x.timeout = 40000;
    x.onload = function () {
      if (x.status !== 200) return later();
      var s = JSON.parse(x.responseText);
      seen = s.generation;
      if (s.good > built) {
        try { sessionStorage.setItem(key, String(window.scrollY)); } catch (e) { /* ignore */ }
        location.reload();
        return;
      }
      overlay(s.errors, s.with_errors);
      // "busy": too many pages are waiting; ask again in a moment rather than at once.
      if (s.busy) return later();
      poll();
    };
    x.onerror = x.ontimeout = later;
    x.send();
  }
  function later() { setTimeout(poll, 1000); }
  poll();
})();
