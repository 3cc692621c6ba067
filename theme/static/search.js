// Full-text search in the page, from file:// or any server, under any sub-path. search.html
// holds the shard counts and the key; the shards are scripts under search/ (t<n>.js: the
// postings of the terms hashing to n; d<n>.js: titles and section texts), loaded when a
// query needs them and sealed with ChaCha20 (RFC 8439) under the key, as the build wrote
// them. Query words are stemmed as the build stemmed the index (static/stemmer-english.js).
(function () {
  "use strict";
  var metaNode = document.getElementById("search-meta");
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var summary = document.getElementById("search-summary");
  var more = document.getElementById("search-more");
  if (!metaNode || !input || !list || !summary) return;
  var meta;
  try { meta = JSON.parse(metaNode.textContent); } catch (e) { return; }
  var key = new Uint8Array(32);
  for (var k = 0; k < 32; k++) key[k] = parseInt(meta.key.substr(2 * k, 2), 16);
  // Results shown at a time: each may need its own document shard.
  var PAGE = 10;

  // --- ChaCha20, as src/render/search/cipher.rs ---
  function rotl(v, c) { return (v << c) | (v >>> (32 - c)); }
  function block(counter, nonce) {
    var s = new Uint32Array(16), x = new Uint32Array(16), kv = new DataView(key.buffer), nv = new DataView(nonce.buffer);
    s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574;
    for (var i = 0; i < 8; i++) s[4 + i] = kv.getUint32(4 * i, true);
    s[12] = counter;
    for (i = 0; i < 3; i++) s[13 + i] = nv.getUint32(4 * i, true);
    x.set(s);
    function q(a, b, c, d) {
      x[a] = x[a] + x[b]; x[d] = rotl(x[d] ^ x[a], 16);
      x[c] = x[c] + x[d]; x[b] = rotl(x[b] ^ x[c], 12);
      x[a] = x[a] + x[b]; x[d] = rotl(x[d] ^ x[a], 8);
      x[c] = x[c] + x[d]; x[b] = rotl(x[b] ^ x[c], 7);
    }
    for (i = 0; i < 10; i++) {
      q(0, 4, 8, 12); q(1, 5, 9, 13); q(2, 6, 10, 14); q(3, 7, 11, 15);
      q(0, 5, 10, 15); q(1, 6, 11, 12); q(2, 7, 8, 13); q(3, 4, 9, 14);
    }
    var out = new Uint8Array(64), ov = new DataView(out.buffer);
    for (i = 0; i < 16; i++) ov.setUint32(4 * i, (x[i] + s[i]) >>> 0, true);
    return out;
  }
  // A shard is its nonce (12 bytes) and then its sealed JSON.
  function open(name, b64) {
    var raw = atob(b64), all = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) all[i] = raw.charCodeAt(i);
    var nonce = all.slice(0, 12), data = all.subarray(12);
    for (var at = 0, n = 1; at < data.length; at += 64, n++) {
      var ks = block(n, nonce);
      for (var j = 0; j < 64 && at + j < data.length; j++) data[at + j] ^= ks[j];
    }
    return JSON.parse(new TextDecoder("utf-8").decode(data));
  }

  // --- Shards, loaded once each by <script> ---
  var shards = {}, waiting = {};
  window.ismsbookSearchShard = function (name, b64) {
    try { shards[name] = open(name, b64); } catch (e) { shards[name] = null; }
    (waiting[name] || []).forEach(function (f) { f(shards[name]); });
    delete waiting[name];
  };
  function load(name) {
    return new Promise(function (resolve) {
      if (name in shards) return resolve(shards[name]);
      if (waiting[name]) return waiting[name].push(resolve);
      waiting[name] = [resolve];
      var s = document.createElement("script");
      s.src = "search/" + name + ".js";
      s.onerror = function () { window.ismsbookSearchShard(name, ""); };
      document.head.appendChild(s);
    });
  }

  // --- Words, as src/render/search/tokens.rs ---
  var stem = meta.language === "english" && window.ismsbookStem ? window.ismsbookStem : function (w) { return w; };
  function words(text) { return text.split(/[^\p{L}\p{N}]+/u).filter(Boolean); }
  function term(word) { return stem(word.toLowerCase()); }
  function shardOf(t) {
    var bytes = new TextEncoder().encode(t), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h % Math.max(1, meta.terms);
  }

  function search(query) {
    var terms = words(query).map(term).filter(function (t, i, all) { return all.indexOf(t) === i; });
    if (!terms.length) return Promise.resolve({ terms: [], hits: [] });
    return Promise.all(terms.map(function (t) { return load("t" + shardOf(t)); })).then(function (parts) {
      var scores = null;
      terms.forEach(function (t, i) {
        var postings = (parts[i] && parts[i][t]) || [], next = {}, d = 0;
        for (var p = 0; p < postings.length; p += 2) {
          d += postings[p]; // each entry as its distance from the one before
          // Every word must match somewhere.
          if (scores === null || d in scores) next[d] = (scores ? scores[d] : 0) + postings[p + 1];
        }
        scores = next;
      });
      var hits = Object.keys(scores || {}).map(function (d) { return { n: +d, score: scores[d] }; });
      hits.sort(function (a, b) { return b.score - a.score || a.n - b.n; });
      return { terms: terms, hits: hits };
    });
  }

  function entry(n) {
    return load("d" + Math.floor(n / meta.per)).then(function (docs) { return docs ? docs[n % meta.per] : null; });
  }

  // Text with each word whose term is searched for in <mark>: built as nodes, never as HTML.
  function highlighted(text, terms) {
    var frag = document.createDocumentFragment();
    text.split(/([^\p{L}\p{N}]+)/u).forEach(function (part) {
      if (part && terms.indexOf(term(part)) >= 0) {
        var m = document.createElement("mark"); m.textContent = part; frag.appendChild(m);
      } else if (part) frag.appendChild(document.createTextNode(part));
    });
    return frag;
  }

  // The section where a searched word first occurs, and whole words around it.
  function snippet(e, terms) {
    var best = null;
    for (var i = 0; i < e.s.length && !best; i++) {
      var ws = e.s[i][2].split(/\s+/).filter(Boolean);
      for (var j = 0; j < ws.length; j++) {
        if (words(ws[j]).some(function (w) { return terms.indexOf(term(w)) >= 0; })) { best = { s: e.s[i], ws: ws, at: j }; break; }
      }
    }
    if (!best) {
      var first = e.s[0] || ["", "", ""];
      var all = first[2].split(/\s+/).filter(Boolean);
      return { heading: first[0], anchor: first[1], text: all.slice(0, 30).join(" ") + (all.length > 30 ? " …" : "") };
    }
    var from = Math.max(0, best.at - 12), to = Math.min(best.ws.length, best.at + 24);
    return {
      heading: best.s[0], anchor: best.s[1],
      text: (from > 0 ? "… " : "") + best.ws.slice(from, to).join(" ") + (to < best.ws.length ? " …" : "")
    };
  }

  function render(e, terms) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = e.url;
    a.appendChild(highlighted(e.id + " " + e.title, terms));
    var kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = " · " + e.kind;
    li.appendChild(a); li.appendChild(kind);
    var snip = snippet(e, terms);
    if (snip.heading) {
      var where = document.createElement("a");
      where.className = "where";
      where.href = e.url + (snip.anchor ? "#" + snip.anchor : "");
      where.textContent = "§ " + snip.heading;
      where.tabIndex = -1;
      li.appendChild(where);
    }
    var p = document.createElement("p");
    p.appendChild(highlighted(snip.text, terms));
    li.appendChild(p);
    return li;
  }

  var current = { query: null, hits: [], terms: [], shown: 0 };
  function show(upTo) {
    var slice = current.hits.slice(current.shown, upTo), q = current.query;
    return Promise.all(slice.map(function (h) { return entry(h.n); })).then(function (entries) {
      if (current.query !== q) return;
      entries.forEach(function (e) { if (e) list.appendChild(render(e, current.terms)); });
      current.shown = Math.min(upTo, current.hits.length);
      if (more) more.hidden = current.shown >= current.hits.length;
    });
  }

  function run(query) {
    current = { query: query, hits: [], terms: [], shown: 0 };
    return search(query).then(function (r) {
      if (current.query !== query) return;
      list.textContent = "";
      current.hits = r.hits; current.terms = r.terms;
      if (!r.terms.length) {
        summary.textContent = meta.count + " pages indexed.";
        if (more) more.hidden = true;
        return;
      }
      summary.textContent = r.hits.length + (r.hits.length === 1 ? " result" : " results") + " for “" + query + "”";
      return show(PAGE);
    });
  }

  if (more) more.addEventListener("click", function () { show(current.shown + PAGE); });

  // ↓ from the box to the first result, ↑ and ↓ between results, Escape back to the box.
  function links() { return Array.prototype.slice.call(list.querySelectorAll("li > a:first-child")); }
  function move(by) {
    var all = links(), at = all.indexOf(document.activeElement), next = at + by;
    all.forEach(function (a) { a.parentNode.classList.remove("active"); });
    if (next < 0) { input.focus(); return; }
    if (next >= all.length) next = all.length - 1;
    if (all[next]) { all[next].focus(); all[next].parentNode.classList.add("active"); }
  }
  document.addEventListener("keydown", function (e) {
    var inResults = list.contains(document.activeElement);
    if (e.key === "ArrowDown" && (document.activeElement === input || inResults)) { e.preventDefault(); move(1); }
    else if (e.key === "ArrowUp" && inResults) { e.preventDefault(); move(-1); }
    else if (e.key === "Escape" && inResults) { input.focus(); }
  });

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
      run(input.value);
      // The query in the address: Back and a reload show these results again.
      try { history.replaceState(null, "", "?q=" + encodeURIComponent(input.value)); } catch (e) { /* file:// may refuse */ }
    }, 120);
  });
  run(q);
})();
