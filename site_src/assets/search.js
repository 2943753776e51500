/* Jiceng search: a small front end for the Pagefind index, built for phones on slow networks.
 *
 * Nothing loads until the first search. The index is one base bundle plus a small delta of pages
 * changed since (pagefind-shards.json lists both, and the base's stale copies to hide). Filters are
 * only downloaded when a filter is used. A hit inside a list points at the row that matched.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var root = new URL("../", script ? script.src : window.location.href).href; // the site root
  var form = document.getElementById("jc-search-form");
  var input = document.getElementById("jc-q");
  var kind = document.getElementById("jc-kind");
  var region = document.getElementById("jc-region");
  var statusLine = document.getElementById("jc-status");
  var list = document.getElementById("jc-results");
  var moreButton = document.getElementById("jc-more");
  if (!form || !input) { return; }

  var PAGE = 6; // results shown per step: each needs its own small download on a slow network
  var engine = null;
  var stale = new Set();
  var results = [];
  var position = 0;
  var sequence = 0;
  var regionsLoaded = false;

  function loadEngine() {
    if (!engine) {
      var manifest = fetch(root + "pagefind-shards.json")
        .then(function (r) { return r.ok ? r.json() : { bundles: ["pagefind/"], stale: [] }; })
        .catch(function () { return { bundles: ["pagefind/"], stale: [] }; });
      engine = Promise.all([import(root + "pagefind/pagefind.js"), manifest]).then(function (parts) {
        var pagefind = parts[0];
        var bundles = parts[1].bundles || [];
        (parts[1].stale || []).forEach(function (url) { stale.add(url); });
        // noWorker: Pagefind's web worker is one more 12 KB download before the first result.
        return pagefind.options({ excerptLength: 36, noWorker: true })
          .then(function () {
            return Promise.all(bundles.slice(1).map(function (b) { return pagefind.mergeIndex(root + b); }));
          })
          .then(function () { return pagefind; });
      });
    }
    return engine;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  // Pagefind's excerpt is HTML with <mark> around the matches: keep the text and the marks, nothing else.
  function excerptNodes(html) {
    var doc = new DOMParser().parseFromString("<p>" + (html || "") + "</p>", "text/html");
    var out = document.createDocumentFragment();
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeType === 3) { out.appendChild(document.createTextNode(node.textContent)); }
      else if (node.nodeName === "MARK") { out.appendChild(el("mark", "", node.textContent)); }
      else { out.appendChild(document.createTextNode(node.textContent || "")); }
    });
    return out;
  }

  // The row (<tr id="item-N">) of a list that holds most of the matched words, or null.
  function bestRow(data) {
    var anchors = data.anchors || [];
    var best = null;
    var bestCount = 0;
    anchors.forEach(function (anchor, i) {
      if (anchor.element !== "tr" || String(anchor.id).indexOf("item-") !== 0) { return; }
      var end = i + 1 < anchors.length ? anchors[i + 1].location : Infinity;
      var count = (data.locations || []).filter(function (l) { return l >= anchor.location && l < end; }).length;
      if (count > bestCount) { best = anchor; bestCount = count; }
    });
    return best;
  }

  function render(data, rowsOnly) {
    var url = data.url.split("#")[0];
    if (stale.has(url) && !(data.meta && data.meta.src === "delta")) { return false; }
    var row = bestRow(data);
    if (rowsOnly && !row) { return false; }
    var item = el("li", "jc-result");
    var kindName = ((data.filters || {})["类别"] || [])[0];
    if (kindName) { item.appendChild(el("span", "jc-result__kind", row ? "清单事项" : kindName)); }
    var link = el("a", "jc-result__link", (data.meta && data.meta.title) || url);
    link.href = url + (row ? "#" + row.id : "");
    var heading = el("h2", "jc-result__title");
    heading.appendChild(link);
    item.appendChild(heading);
    if (row) {
      var rowText = (row.text || "").replace(/\s+/g, " ").trim();
      item.appendChild(el("p", "jc-result__row", "第 " + row.id.slice(5) + " 项：" + rowText.slice(0, 80)));
    }
    var excerpt = el("p", "jc-result__excerpt");
    excerpt.appendChild(excerptNodes(data.excerpt));
    item.appendChild(excerpt);
    var places = ((data.filters || {})["地区"] || []).slice(-2).join(" · ");
    if (places) { item.appendChild(el("p", "jc-result__place", places)); }
    list.appendChild(item);
    return true;
  }

  function showMore(token) {
    var batch = results.slice(position, position + PAGE);
    position += batch.length;
    var rowsOnly = kind.value === "清单事项";
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (pages) {
      if (token !== sequence) { return; }
      pages.forEach(function (data) { render(data, rowsOnly); });
      moreButton.hidden = position >= results.length;
      if (!list.children.length && position < results.length) { return showMore(token); }
      if (!list.children.length) { statusLine.textContent = "没有找到结果。可以换一个词，或去掉筛选条件。"; }
    });
  }

  function search() {
    var query = input.value.trim();
    var token = ++sequence;
    list.textContent = "";
    moreButton.hidden = true;
    if (!query) { statusLine.textContent = ""; return Promise.resolve(); }
    statusLine.textContent = "正在搜索…";
    var filters = {};
    if (kind.value) { filters["类别"] = kind.value === "清单事项" ? "清单" : kind.value; }
    if (region.value) { filters["地区"] = region.value; }
    return loadEngine().then(function (pagefind) {
      return pagefind.search(query, { filters: filters });
    }).then(function (search) {
      if (token !== sequence) { return; }
      results = search.results;
      position = 0;
      statusLine.textContent = results.length ? "找到约 " + results.length + " 条结果" : "没有找到结果。可以换一个词，或去掉筛选条件。";
      var params = new URLSearchParams();
      params.set("q", query);
      if (kind.value) { params.set("kind", kind.value); }
      if (region.value) { params.set("region", region.value); }
      window.history.replaceState(null, "", "?" + params.toString());
      return showMore(token);
    }).catch(function () {
      if (token === sequence) { statusLine.textContent = "搜索暂时不可用，请稍后再试，或按地区浏览。"; }
    });
  }

  // Region names come from the index's own filter, downloaded only when someone wants to filter.
  function loadRegions(selected) {
    if (regionsLoaded) { return Promise.resolve(); }
    regionsLoaded = true;
    return loadEngine().then(function (pagefind) { return pagefind.filters(); }).then(function (filters) {
      Object.keys(filters["地区"] || {}).sort(function (a, b) { return a.localeCompare(b, "zh-CN"); }).forEach(function (name) {
        var option = el("option", "", name + "（" + filters["地区"][name] + "）");
        option.value = name;
        region.appendChild(option);
      });
      if (selected) { region.value = selected; }
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); search(); });
  kind.addEventListener("change", search);
  region.addEventListener("change", search);
  region.addEventListener("focus", function () { loadRegions(); });
  region.addEventListener("pointerdown", function () { loadRegions(); });
  moreButton.addEventListener("click", function () { showMore(sequence); });

  var params = new URLSearchParams(window.location.search);
  if (params.get("kind")) { kind.value = params.get("kind"); }
  var wanted = params.get("region");
  var ready = wanted ? loadRegions(wanted) : Promise.resolve();
  if (params.get("q")) {
    input.value = params.get("q");
    ready.then(search);
  }
})();
