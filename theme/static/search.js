// Full-text search in the page. The index is inert JSON inside search.html itself: it works
// from file:// and under any sub-path, and, unlike a script file, no page of another origin
// can read it. The search box of every page submits here with ?q=.
(function () {
  "use strict";
  var data = document.getElementById("search-index");
  var index = [];
  try { index = JSON.parse(data ? data.textContent : "[]"); } catch (e) { index = []; }
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var summary = document.getElementById("search-summary");
  if (!input || !list || !summary) return;
  var prepared = index.map(function (d) {
    return { d: d, id: d.id.toLowerCase(), title: d.title.toLowerCase(), headings: d.headings.toLowerCase(), text: d.text.toLowerCase() };
  });

  function snippet(d, terms) {
    var lower = d.text.toLowerCase();
    for (var i = 0; i < terms.length; i++) {
      var at = lower.indexOf(terms[i]);
      if (at >= 0) {
        var start = Math.max(0, at - 60);
        return (start > 0 ? "…" : "") + d.text.slice(start, at + 120) + "…";
      }
    }
    return d.text.slice(0, 160);
  }

  function search(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!terms.length) { summary.textContent = index.length + " entries indexed."; return; }
    var hits = [];
    prepared.forEach(function (p) {
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var t = terms[i], s = 0;
        if (p.id === t) s += 100;
        if (p.id.indexOf(t) >= 0) s += 20;
        if (p.title.indexOf(t) >= 0) s += 10;
        if (p.headings.indexOf(t) >= 0) s += 4;
        if (p.text.indexOf(t) >= 0) s += 1;
        if (!s) return; // every term must match somewhere
        score += s;
      }
      hits.push({ p: p, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.p.id.localeCompare(b.p.id, undefined, { numeric: true }); });
    summary.textContent = hits.length + (hits.length === 1 ? " result" : " results") + " for “" + query + "”";
    hits.slice(0, 100).forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = h.p.d.url;
      a.textContent = h.p.d.id + " " + h.p.d.title;
      var kind = document.createElement("span");
      kind.className = "muted";
      kind.textContent = " " + h.p.d.kind;
      var p = document.createElement("p");
      p.textContent = snippet(h.p.d, terms);
      li.appendChild(a); li.appendChild(kind); li.appendChild(p);
      list.appendChild(li);
    });
  }

  // Inside a frame the query in the address may be another site's: it could frame this page
  // with ?q=… and time the results to learn whether a word is in the handbook. There, only
  // what the reader types is searched.
  var framed = true;
  try { framed = window.top !== window.self; } catch (e) { framed = true; }
  var q = framed ? "" : new URLSearchParams(location.search).get("q") || "";
  input.value = q;
  var timer;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      search(input.value);
      // The query in the address: Back and a reload show these results again.
      try { history.replaceState(null, "", "?q=" + encodeURIComponent(input.value)); } catch (e) { /* file:// may refuse */ }
    }, 80);
  });
  search(q);
})();
