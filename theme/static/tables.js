// Sorting and filtering of tables, in the page itself: works from file:// and any server.
// Sorting is by buttons in the header cells, so the keyboard reaches it; a filter that hides
// every row says so.
(function () {
  "use strict";
  function cellText(row, i) {
    var c = row.cells[i];
    return c ? c.textContent.trim() : "";
  }
  function compare(a, b) {
    // Natural order, so A.5.9 comes before A.5.10 and 1.9 before 1.10.
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }
  function sortBy(table, th, i) {
    var body = table.tBodies[0];
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.cells, function (o) { o.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (x, y) { var r = compare(cellText(x, i), cellText(y, i)); return asc ? r : -r; });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tBodies[0] || !table.tHead) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, i); });
    });
  });
  var filters = 0;
  document.querySelectorAll("table.filterable").forEach(function (table) {
    var box = table.parentNode.classList.contains("table-wrap") ? table.parentNode : table;
    var input = document.createElement("input");
    input.type = "search";
    input.className = "table-filter";
    input.placeholder = "Filter rows…";
    // Named after the table's heading when it has one: several filters on a page differ.
    var heading = box.previousElementSibling;
    var name = heading && /^H[1-6]$/.test(heading.tagName) ? heading.textContent.trim() : "";
    input.setAttribute("aria-label", name ? "Filter rows of " + name : "Filter rows");
    var none = document.createElement("p");
    none.className = "no-rows";
    none.id = "no-rows-" + (++filters);
    none.setAttribute("role", "status");
    box.parentNode.insertBefore(input, box);
    box.parentNode.insertBefore(none, box.nextSibling);
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        var hit = r.textContent.toLowerCase().indexOf(q) !== -1;
        r.style.display = hit ? "" : "none";
        if (hit) shown++;
      });
      none.textContent = shown === 0 ? "No rows match “" + input.value + "”." : "";
    });
  });
  // A document's own tables get the box the theme's tables have (without script, CSS lets
  // the table itself scroll).
  document.querySelectorAll(".body table").forEach(function (table) {
    if (table.parentNode.classList.contains("table-wrap")) return;
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    table.parentNode.insertBefore(wrap, table);
    wrap.appendChild(table);
  });
  // A box that scrolls sideways must be reachable by keyboard to be scrolled.
  function focusable() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", "Table, scrolls sideways");
        }
      } else if (box.getAttribute("aria-label") === "Table, scrolls sideways") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  focusable();
  window.addEventListener("resize", focusable);
})();
