/* Material for MkDocs' page bootstrap (partials/javascripts/base.html), as a file: the site's CSP allows
 * no inline script. The scope is the site root, as Material computes it from base_url. */
var __md_scope = new URL(document.currentScript.src.replace(/assets\/(v\/)?[^/]*$/, "")), // assets/v/<name>: the root
  __md_hash = function (e) { return [...e].reduce(function (e, _) { return (e << 5) - e + _.charCodeAt(0); }, 0); },
  __md_get = function (e, _, t) {
    _ = _ || localStorage; t = t || __md_scope;
    return JSON.parse(_.getItem(t.pathname + "." + e));
  },
  __md_set = function (e, _, t, a) {
    t = t || localStorage; a = a || __md_scope;
    try { t.setItem(a.pathname + "." + e, JSON.stringify(_)); } catch (err) { /* storage full or disabled */ }
  };

/* The larger-text mode (适老化): the reader's choice, kept in this browser, applied before the page paints. */
(function () {
  var KEY = "jc-large-text";
  var root = document.documentElement;
  try { if (localStorage.getItem(KEY) === "1") { root.classList.add("jc-large"); } } catch (err) { /* no storage */ }
  function sync() {
    var on = root.classList.contains("jc-large");
    document.querySelectorAll("[data-jc-textsize]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "标准字号" : "大字模式";
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-jc-textsize]") : null;
    if (!button) { return; }
    var on = root.classList.toggle("jc-large");
    try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (err) { /* no storage: this page only */ }
    sync();
  });
  document.addEventListener("DOMContentLoaded", sync);
})();
