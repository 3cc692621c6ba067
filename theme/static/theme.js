// The sidebar's menu button on phones, and the light/dark switch. Both work from file://.
(function () {
  "use strict";
  var root = document.documentElement;
  var toggle = document.querySelector(".nav-toggle");
  var sidebar = document.getElementById("sidebar");
  if (toggle && sidebar) {
    var setOpen = function (open) {
      sidebar.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
      if (sidebar.classList.contains("open")) {
        var first = sidebar.querySelector("a");
        if (first) first.focus();
      }
    });
    // Escape closes the menu and gives the focus back to its button.
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && sidebar.classList.contains("open")) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  var scheme = document.querySelector(".theme-toggle");
  if (!scheme) return;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function current() {
    var chosen = root.getAttribute("data-theme");
    if (chosen) return chosen;
    return media && media.matches ? "dark" : "light";
  }
  function show() {
    var dark = current() === "dark";
    scheme.setAttribute("aria-pressed", dark ? "true" : "false");
    var label = scheme.querySelector(".theme-toggle-label");
    if (label) label.textContent = "Dark";
  }
  scheme.addEventListener("click", function () {
    var next = current() === "dark" ? "light" : "dark";
    root.setAttribute("data-theme", next);
    try { localStorage.setItem("ismsbook-theme", next); } catch (e) { /* file:// may refuse */ }
    show();
  });
  if (media && media.addEventListener) media.addEventListener("change", show);
  show();
})();
