/* Jiceng search: a small engine and front end for our own index (search-index/), built for phones on
 * slow networks.
 *
 * Nothing loads until the first search. A query is split the way the index was built: Chinese text into
 * overlapping character pairs (居住证明 → 居住 住证 证明; a lone character stays itself), Latin letters and
 * digits into words. Each token's postings are in one small shard file chosen by a hash of the token;
 * a page matches when it holds every token, ranked by the weights stored with the postings (BM25, with a
 * boost for the title). Each result shown then downloads its own small record. The filters' data (kind code
 * and places of every page, as slugs with their names) is downloaded only when a filter is used: filters
 * carry codes, the page shows labels. The index is a base bundle plus a small delta of pages changed since;
 * index.json lists the base's stale copies, which are never shown.
 * window.JcSearch exposes the engine (search, regions) for tests and benchmarks.
 */
(function () {
  "use strict";

  var LAYOUT = 6; // cms/publishing/search_index.py LAYOUT: the index layout this engine reads
  var script = document.currentScript;
  // The site root: this file is assets/search.js or, named by its content, assets/v/search.<digest>.js.
  var root = script ? script.src.replace(/assets\/(v\/)?[^/]*$/, "") : new URL("../", window.location.href).href;
  var indexRoot = root + "search-index/";

  // ---- Tokens: the same rules as cms/publishing/search.py ----------------------------------------
  var CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}";
  var RUNS = new RegExp("[" + CJK + "]+|[0-9a-z\u00c0-\u024f]+", "gu");
  var IS_CJK = new RegExp("^[" + CJK + "]", "u");

  function normalize(text) {
    return (text.normalize ? text.normalize("NFKC") : text).toLowerCase();
  }

  // What reads a query as the index was written (search-index/query.json): traditional characters and
  // their simplified ones, and the pinyin syllables. Without it a query is taken as typed.
  var helper = { t2s: new Map(), syllables: new Set() };
  var INITIALS = /^[bpmfdtnlgkhjqxzcsryw]{2,}$/;

  function readHelper(data) {
    var chars = Array.from(data.t2s || "");
    var t2s = new Map();
    for (var i = 0; i + 1 < chars.length; i += 2) { t2s.set(chars[i], chars[i + 1]); }
    return { t2s: t2s, syllables: new Set(data.syllables || []) };
  }

  function simplified(text) {
    return Array.from(text).map(function (ch) { return helper.t2s.get(ch) || ch; }).join("");
  }

  // A Latin word as pinyin syllables (juzhu → ju zhu), or null when it is not pinyin.
  function syllables(word) {
    var memo = {};
    function from(i) {
      if (i === word.length) { return []; }
      if (i in memo) { return memo[i]; }
      for (var len = Math.min(6, word.length - i); len >= 1; len--) {
        var piece = word.substr(i, len);
        if (helper.syllables.has(piece)) {
          var rest = from(i + len);
          if (rest) { memo[i] = [piece].concat(rest); return memo[i]; }
        }
      }
      memo[i] = null;
      return null;
    }
    return from(0);
  }

  // The tokens a query must all match, and the runs of text to mark in excerpts. Chinese runs become
  // character pairs (in simplified characters); a Latin word that reads as two or more pinyin syllables
  // becomes pairs of syllables (juzhu zhengming), one of consonants only becomes pairs of initials (jzzm).
  function queryTokens(query) {
    var runs = simplified(normalize(query)).match(RUNS) || [];
    var tokens = [];
    runs.forEach(function (run) {
      var chars = Array.from(run); // code points: a rare character may take two UTF-16 units
      var pinyin = IS_CJK.test(run) ? null : syllables(run);
      if (IS_CJK.test(run) && chars.length > 1) {
        for (var i = 0; i + 1 < chars.length; i++) { tokens.push(chars[i] + chars[i + 1]); }
      } else if (INITIALS.test(run)) {
        for (var j = 0; j + 1 < chars.length; j++) { tokens.push(chars[j] + chars[j + 1]); }
      } else if (pinyin && pinyin.length > 1) {
        for (var k = 0; k + 1 < pinyin.length; k++) { tokens.push(pinyin[k] + pinyin[k + 1]); }
      } else {
        tokens.push(run);
      }
    });
    return { runs: runs, tokens: tokens.filter(function (t, i) { return tokens.indexOf(t) === i; }) };
  }

  var CRC = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) { c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; }
      table[n] = c >>> 0;
    }
    return table;
  })();
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  function crc32(text) {
    var bytes = encoder.encode(text);
    var c = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) { c = CRC[(c ^ bytes[i]) & 0xff] ^ (c >>> 8); }
    return (c ^ 0xffffffff) >>> 0;
  }

  // ---- Index files ---------------------------------------------------------------------------------
  var manifest = null;
  var shards = {};
  var records = {};
  var filterData = null;

  function getJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }

  function loadManifest() {
    if (!manifest) {
      // The query helper comes with the manifest, in parallel: both are small, both are needed first.
      var help = getJSON(indexRoot + "query.json").then(readHelper, function () { return helper; });
      manifest = Promise.all([getJSON(indexRoot + "index.json"), help]).then(function (both) {
        var m = both[0];
        helper = both[1];
        if (m.version !== LAYOUT) { throw new Error("search index layout " + m.version); }
        m.staleSet = new Set(m.stale || []);
        m.total = m.bundles.reduce(function (n, b) { return n + b.docs; }, 0) - m.staleSet.size;
        return m;
      });
      manifest.catch(function () { manifest = null; });
    }
    return manifest;
  }

  // Reads varints (7 bits a byte, low first) and plain bytes off a byte array, in order.
  function reader(bytes) {
    var r = { pos: 0 };
    r.more = function () { return r.pos < bytes.length; };
    r.byte = function () { return bytes[r.pos++]; };
    r.take = function (n) { r.pos += n; return bytes.subarray(r.pos - n, r.pos); };
    r.varint = function () {
      var value = 0;
      var shift = 0;
      var b;
      do { b = bytes[r.pos++]; value += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
      return value;
    };
    return r;
  }

  // A shard file: [tokens] then per token [length, utf-8 bytes, length, postings] (lengths as varints);
  // postings are (document gap varint, weight byte) pairs. Returns Map(token → postings bytes).
  function readShard(buffer) {
    var r = reader(new Uint8Array(buffer));
    var map = new Map();
    for (var count = r.varint(); count > 0; count--) {
      var token = decoder.decode(r.take(r.varint()));
      map.set(token, r.take(r.varint()));
    }
    return map;
  }

  function shard(bundle, n) {
    var url = indexRoot + bundle.path + "s/" + n + ".bin";
    if (!shards[url]) {
      shards[url] = fetch(url).then(function (r) {
        if (r.status === 404) { return new Map(); } // no token of this bundle hashes here
        if (!r.ok) { throw new Error(url + ": " + r.status); }
        return r.arrayBuffer().then(readShard);
      });
      shards[url].catch(function () { delete shards[url]; });
    }
    return shards[url];
  }

  // Every page holding a token, over all bundles: Map(doc → weight byte).
  function postings(m, token) {
    var hash = crc32(token);
    return Promise.all(m.bundles.map(function (bundle) {
      return shard(bundle, hash % bundle.shards).then(function (map) { return [bundle, map.get(token)]; });
    })).then(function (parts) {
      var docs = new Map();
      parts.forEach(function (part) {
        if (!part[1]) { return; }
        var r = reader(part[1]);
        for (var doc = part[0].first - 1; r.more();) {
          doc += r.varint();
          docs.set(doc, r.byte());
        }
      });
      return docs;
    });
  }

  function bundleOf(m, doc) {
    for (var i = m.bundles.length - 1; i >= 0; i--) {
      if (doc >= m.bundles[i].first) { return m.bundles[i]; }
    }
    return m.bundles[0];
  }

  function record(m, doc) {
    var bundle = bundleOf(m, doc);
    var url = indexRoot + bundle.path + "d/" + (doc - bundle.first) + ".json";
    if (!records[url]) {
      records[url] = getJSON(url);
      records[url].catch(function () { delete records[url]; });
    }
    return records[url];
  }

  // Kind code and places of every page, merged over the bundles: {byDoc: {doc: {kind, regions: [slugs]}},
  // names: {slug: name}}.
  function filters() {
    if (!filterData) {
      filterData = loadManifest().then(function (m) {
        return Promise.all(m.bundles.map(function (b) { return getJSON(indexRoot + b.path + "filters.json"); }))
          .then(function (parts) {
            var byDoc = {};
            var names = {};
            parts.forEach(function (data, i) {
              var first = m.bundles[i].first;
              data.regions.forEach(function (place) { names[place[0]] = place[1]; });
              data.kind.forEach(function (k, n) {
                byDoc[first + n] = {
                  kind: data.kinds[k],
                  regions: data.chains[data.chain[n]].map(function (r) { return data.regions[r][0]; }),
                };
              });
            });
            return { byDoc: byDoc, names: names };
          });
      });
      filterData.catch(function () { filterData = null; });
    }
    return filterData;
  }

  // The places that hold current pages, with how many: [{slug, name, count}] (for the region chooser).
  function regions() {
    return Promise.all([loadManifest(), filters()]).then(function (parts) {
      var counts = {};
      Object.keys(parts[1].byDoc).forEach(function (doc) {
        if (parts[0].staleSet.has(Number(doc))) { return; }
        parts[1].byDoc[doc].regions.forEach(function (slug) { counts[slug] = (counts[slug] || 0) + 1; });
      });
      return Object.keys(counts).map(function (slug) {
        return { slug: slug, name: parts[1].names[slug] || slug, count: counts[slug] };
      });
    });
  }

  // Results for a query: [{doc, score, data()}], best first. options.filters: {kind: code, region: slug}.
  function search(query, options) {
    options = options || {};
    var wanted = options.filters || {};
    var needFilters = Boolean(wanted.kind || wanted.region);
    return loadManifest().then(function (m) {
      var q = queryTokens(query);
      if (!q.tokens.length) { return []; }
      return Promise.all([
        Promise.all(q.tokens.map(function (t) { return postings(m, t); })),
        needFilters ? filters() : null,
      ]).then(function (parts) {
        var lists = parts[0].slice().sort(function (a, b) { return a.size - b.size; });
        var byDoc = parts[1] ? parts[1].byDoc : null;
        var idf = lists.map(function (p) { return Math.log(1 + (m.total - p.size + 0.5) / (p.size + 0.5)); });
        var out = [];
        lists[0].forEach(function (weight, doc) {
          if (m.staleSet.has(doc) && !options.includeStale) { return; }
          if (byDoc) {
            var f = byDoc[doc];
            if (!f) { return; }
            if (wanted.kind && f.kind !== wanted.kind) { return; }
            if (wanted.region && f.regions.indexOf(wanted.region) < 0) { return; }
          }
          var score = 0;
          for (var i = 0; i < lists.length; i++) {
            var w = i === 0 ? weight : lists[i].get(doc);
            if (w === undefined) { return; }
            score += idf[i] * ((w & 0x7f) / 127) * (w & 0x80 ? 3 : 1);
          }
          out.push({ doc: doc, score: score });
        });
        out.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
        return out.map(function (hit) {
          hit.data = function () { return record(m, hit.doc); };
          return hit;
        });
      });
    });
  }

  window.JcSearch = {
    layout: LAYOUT,
    search: search,
    regions: regions,
    // Load what reads a query (the manifest and the query helper); tokens() uses it once loaded.
    ready: function () { return loadManifest(); },
    // A query's tokens and, for tests, the shard each would be in out of 4096.
    tokens: function (query) {
      var q = queryTokens(query);
      q.shards = q.tokens.map(function (t) { return crc32(t) % 4096; });
      return q;
    },
  };

  // ---- The search page -----------------------------------------------------------------------------
  var form = document.getElementById("jc-search-form");
  var input = document.getElementById("jc-q");
  var kind = document.getElementById("jc-kind");
  var region = document.getElementById("jc-region");
  var rowsOnlyBox = document.getElementById("jc-rows");
  var statusLine = document.getElementById("jc-status");
  var list = document.getElementById("jc-results");
  var moreButton = document.getElementById("jc-more");
  if (!form || !input) { return; }

  var PAGE = 6; // results shown per step: each needs its own small download on a slow network
  var results = [];
  var position = 0;
  var sequence = 0;
  var marks = [];
  var regionsLoaded = false;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  // Text with each occurrence of the query's runs in <mark> (or, when the text holds none of them whole,
  // of its character pairs), as nodes.
  function marked(text) {
    var out = document.createDocumentFragment();
    var lower = text.toLowerCase(); // not NFKC here: it may change lengths (㎡ → m2), and offsets must hold
    var spans = [];
    var whole = lastQuery.runs.filter(function (run) { return lower.indexOf(run) >= 0; });
    (whole.length ? whole : marks).forEach(function (m) {
      for (var at = lower.indexOf(m); m && at >= 0; at = lower.indexOf(m, at + m.length)) {
        spans.push([at, at + m.length]);
      }
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    spans.forEach(function (s) {
      if (s[0] < pos) { return; }
      out.appendChild(document.createTextNode(text.slice(pos, s[0])));
      out.appendChild(el("mark", "", text.slice(s[0], s[1])));
      pos = s[1];
    });
    out.appendChild(document.createTextNode(text.slice(pos)));
    return out;
  }

  // About 40 characters of the page around the first place the query occurs; without the row already shown
  // above it (an excerpt never repeats what the result shows).
  function excerpt(text, skip) {
    var source = skip ? (text.slice(0, skip[1]) + " " + text.slice(skip[2])).trim() : text;
    var lower = source.toLowerCase();
    var at = -1;
    for (var i = 0; i < marks.length && at < 0; i++) { at = lower.indexOf(marks[i]); }
    var start = Math.max(0, at - 12);
    var end = Math.min(source.length, start + 48);
    return (start > 0 ? "…" : "") + source.slice(start, end) + (end < source.length ? "…" : "");
  }

  // The list row holding most of the query (every run whole counts for more), or null.
  function bestRow(data, q) {
    var best = null;
    var bestScore = 0;
    (data.w || []).forEach(function (row) {
      var text = normalize(data.x.slice(row[1], row[2]));
      var score = 0;
      q.runs.forEach(function (run) { if (text.indexOf(run) >= 0) { score += 100; } });
      q.tokens.forEach(function (t) { if (text.indexOf(t) >= 0) { score += 1; } });
      if (score > bestScore) { best = row; bestScore = score; }
    });
    return best;
  }

  function render(data, q, rowsOnly) {
    var row = bestRow(data, q);
    if (rowsOnly && !row) { return false; }
    var item = el("li", "jc-result");
    if (data.l) { item.appendChild(el("span", "jc-result__kind", row ? data.l + "中的事项" : data.l)); }
    if (data.v) { item.appendChild(el("span", "jc-result__flag", data.v)); }
    if (data.s) { item.appendChild(el("span", "jc-result__state", data.s)); }
    var link = el("a", "jc-result__link", data.t || data.u);
    link.href = data.u + (row ? "#" + row[0] : "");
    var heading = el("h2", "jc-result__title");
    heading.appendChild(link);
    item.appendChild(heading);
    if (row) {
      var line = el("p", "jc-result__row", "第 " + row[0].slice(5) + " 项：");
      line.appendChild(marked(data.x.slice(row[1], row[2]).slice(0, 80)));
      item.appendChild(line);
    }
    var shown = excerpt(data.x || "", row);
    if (shown.replace(/…/g, "").trim()) {
      var text = el("p", "jc-result__excerpt");
      text.appendChild(marked(shown));
      item.appendChild(text);
    }
    var places = (data.p || []).slice(-2).join(" · ");
    if (places) { item.appendChild(el("p", "jc-result__place", places)); }
    list.appendChild(item);
    return true;
  }

  function showMore(token, q) {
    var batch = results.slice(position, position + PAGE);
    position += batch.length;
    var rowsOnly = Boolean(rowsOnlyBox && rowsOnlyBox.checked);
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (pages) {
      if (token !== sequence) { return; }
      pages.forEach(function (data) { render(data, q, rowsOnly); });
      moreButton.hidden = position >= results.length;
      if (!list.children.length && position < results.length) { return showMore(token, q); }
      if (!list.children.length) { statusLine.textContent = "没有找到结果。可以换一个词，或去掉筛选条件。"; }
    });
  }

  var lastQuery = null;

  function run() {
    var query = input.value.trim();
    var token = ++sequence;
    list.textContent = "";
    moreButton.hidden = true;
    if (!query) { statusLine.textContent = ""; return Promise.resolve(); }
    statusLine.textContent = "正在搜索…";
    var wanted = {};
    if (kind.value) { wanted.kind = kind.value; }
    if (region.value) { wanted.region = region.value; }
    return search(query, { filters: wanted }).then(function (found) {
      if (token !== sequence) { return; }
      var q = queryTokens(query); // now read with the query helper (traditional characters, pinyin)
      lastQuery = q;
      marks = q.runs.concat(q.tokens).filter(function (m) { return IS_CJK.test(m) || m.length > 2; });
      marks.sort(function (a, b) { return b.length - a.length; });
      results = found;
      position = 0;
      statusLine.textContent = results.length ? "找到约 " + results.length + " 条结果" : "没有找到结果。可以换一个词，或去掉筛选条件。";
      var params = new URLSearchParams();
      params.set("q", query);
      if (kind.value) { params.set("kind", kind.value); }
      if (region.value) { params.set("region", region.value); }
      if (rowsOnlyBox && rowsOnlyBox.checked) { params.set("rows", "1"); }
      window.history.replaceState(null, "", "?" + params.toString());
      return showMore(token, q);
    }).catch(function () {
      if (token === sequence) { statusLine.textContent = "搜索暂时不可用，请稍后再试，或按地区浏览。"; }
    });
  }

  // Region names come from the index's filter data, downloaded only when someone wants to filter.
  function loadRegions(selected) {
    if (regionsLoaded) { return Promise.resolve(); }
    regionsLoaded = true;
    return regions().then(function (places) {
      places.sort(function (a, b) { return a.name.localeCompare(b.name, "zh-CN") || (a.slug < b.slug ? -1 : 1); });
      places.forEach(function (place) {
        var option = el("option", "", place.name + "（" + place.count + "）");
        option.value = place.slug;
        region.appendChild(option);
      });
      if (selected) { region.value = selected; }
    }).catch(function () { regionsLoaded = false; });
  }

  var timer = null;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 250);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  kind.addEventListener("change", run);
  region.addEventListener("change", run);
  if (rowsOnlyBox) { rowsOnlyBox.addEventListener("change", run); }
  region.addEventListener("focus", function () { loadRegions(); });
  region.addEventListener("pointerdown", function () { loadRegions(); });
  moreButton.addEventListener("click", function () { showMore(sequence, lastQuery); });

  var params = new URLSearchParams(window.location.search);
  if (params.get("kind")) { kind.value = params.get("kind"); }
  if (params.get("rows") && rowsOnlyBox) { rowsOnlyBox.checked = true; }
  var wantedRegion = params.get("region");
  var ready = wantedRegion ? loadRegions(wantedRegion) : Promise.resolve();
  if (params.get("q")) {
    input.value = params.get("q");
    ready.then(run);
  }
})();
