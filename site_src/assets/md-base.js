/* Material for MkDocs' page bootstrap (partials/javascripts/base.html), as a file: the site's CSP allows
 * no inline script. The scope is the site root, as Material computes it from base_url. */
var __md_scope = new URL("../", document.currentScript.src),
  __md_hash = function (e) { return [...e].reduce(function (e, _) { return (e << 5) - e + _.charCodeAt(0); }, 0); },
  __md_get = function (e, _, t) {
    _ = _ || localStorage; t = t || __md_scope;
    return JSON.parse(_.getItem(t.pathname + "." + e));
  },
  __md_set = function (e, _, t, a) {
    t = t || localStorage; a = a || __md_scope;
    try { t.setItem(a.pathname + "." + e, JSON.stringify(_)); } catch (err) { /* storage full or disabled */ }
  };
