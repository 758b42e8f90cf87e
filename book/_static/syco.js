/* syco book: table filters for the summary and transcript pages, and launch buttons that
   open the source notebook (notebooks/...) instead of the executed copy (book/chapters/...),
   which is a build output and not in the repository. */
(function () {
  "use strict";

  function setupFilter(box) {
    var table = document.getElementById(box.getAttribute("data-table"));
    if (!table) return;
    var search = box.querySelector(".syco-search");
    var model = box.querySelector(".syco-model");
    var errs = box.querySelector(".syco-errors-only input");
    var count = box.querySelector(".syco-count");
    var rows = Array.prototype.slice.call(table.querySelectorAll("tr.syco-row"));
    var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    function apply() {
      var q = (search && search.value || "").toLowerCase().trim();
      var m = model ? model.value : "";
      var eo = errs ? errs.checked : false;
      var shown = 0;
      rows.forEach(function (r, i) {
        var ok = (!q || texts[i].indexOf(q) >= 0) &&
          (!m || r.getAttribute("data-model") === m) &&
          (!eo || r.classList.contains("syco-warn"));
        r.style.display = ok ? "" : "none";
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown + " of " + rows.length + " rows";
    }
    [search, model, errs].forEach(function (el) {
      if (el) el.addEventListener(el.tagName === "SELECT" || el.type === "checkbox" ? "change" : "input", apply);
    });
    apply();
  }

  function fixLaunchLinks() {
    var links = document.querySelectorAll(
      "a[href*='colab.research.google.com'], a[href*='mybinder.org']");
    links.forEach(function (a) {
      a.href = a.href.replace(/book(\/|%2F)chapters(\/|%2F)/g, "notebooks$1");
    });
  }

  function init() {
    document.querySelectorAll(".syco-filter").forEach(setupFilter);
    fixLaunchLinks();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
