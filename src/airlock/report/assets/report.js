// airlock HTML report: client-side filters. Runs inline, allowed by its hash in the page's CSP.
// Package data arrives as JSON text in <script type="application/json" id="airlock-data">, read with
// textContent + JSON.parse; this script never writes markup (no innerHTML): it only toggles `hidden`,
// sets form values and writes textContent.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("airlock-data").textContent);
  var verdictBoxes = Array.prototype.slice.call(document.querySelectorAll("input[name=verdict]"));
  var capability = document.getElementById("filter-capability");
  var rule = document.getElementById("filter-rule");
  var search = document.getElementById("filter-name");
  var count = document.getElementById("shown-count");

  function matches(row, verdicts, cap, ruleId, query) {
    return verdicts.indexOf(row.verdict) >= 0 &&
      (cap === "" || row.groups.indexOf(cap) >= 0) &&
      (ruleId === "" || row.rules.indexOf(ruleId) >= 0) &&
      (query === "" || row.label.toLowerCase().indexOf(query) >= 0);
  }

  function apply() {
    var verdicts = verdictBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    var query = search.value.trim().toLowerCase();
    var shown = 0;
    data.rows.forEach(function (row) {
      var visible = matches(row, verdicts, capability.value, rule.value, query);
      document.getElementById(row.id).hidden = !visible;
      if (visible) { shown += 1; }
    });
    count.textContent = shown + " of " + data.rows.length + " packages shown";
  }

  function reset() {
    verdictBoxes.forEach(function (b) { b.checked = true; });
    capability.value = "";
    rule.value = "";
    search.value = "";
  }

  // A link to a package (from the matrix) must land on a visible, open entry.
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = /^pkg-[0-9]+$/.test(id) ? document.getElementById(id) : null;
    if (!target) { return; }
    if (target.hidden) { reset(); apply(); }
    target.open = true;
    target.scrollIntoView();
  }

  verdictBoxes.forEach(function (b) { b.addEventListener("change", apply); });
  capability.addEventListener("change", apply);
  rule.addEventListener("change", apply);
  search.addEventListener("input", apply);
  document.getElementById("filter-reset").addEventListener("click", function () { reset(); apply(); });
  document.getElementById("expand-all").addEventListener("click", function () {
    document.querySelectorAll("details.package").forEach(function (d) { if (!d.hidden) { d.open = true; } });
  });
  document.getElementById("collapse-all").addEventListener("click", function () {
    document.querySelectorAll("details.package").forEach(function (d) { d.open = false; });
  });
  // The capability buttons (matrix column headers, tree totals) filter the package list by that capability.
  document.querySelectorAll("button[data-group]").forEach(function (button) {
    button.addEventListener("click", function () {
      capability.value = button.getAttribute("data-group");
      apply();
      document.getElementById("packages").scrollIntoView();
    });
  });
  window.addEventListener("hashchange", reveal);
  apply();
  reveal();
}());
