// tilint report: sort and filter the matrix; open a document's drill-down when it is
// linked to. The page works without this script (everything is in the HTML).
(function () {
  "use strict";
  var table = document.getElementById("matrix-table");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("filter");
  var shown = document.getElementById("shown");
  var total = rows.length;

  function key(row, by) {
    return by === "name" ? row.dataset.name : parseFloat(row.dataset[by]);
  }

  function sortBy(button) {
    var th = button.parentNode;
    var by = button.dataset.sort;
    // numbers start high (most findings, best coverage); names start at A
    var first = by === "name" ? "ascending" : "descending";
    var current = th.getAttribute("aria-sort");
    var order = current === first ? (first === "ascending" ? "descending" : "ascending") : first;
    var sign = order === "ascending" ? 1 : -1;
    rows.sort(function (a, b) {
      var ka = key(a, by), kb = key(b, by);
      var c = ka < kb ? -1 : ka > kb ? 1 : 0;
      return c * sign || (a.dataset.name < b.dataset.name ? -1 : a.dataset.name > b.dataset.name ? 1 : 0);
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (r) { fragment.appendChild(r); });
    body.appendChild(fragment);
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", order);
  }

  table.querySelectorAll("th button[data-sort]").forEach(function (button) {
    button.addEventListener("click", function () { sortBy(button); });
  });

  filter.addEventListener("input", function () {
    var q = filter.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (r) {
      var hide = q !== "" && r.dataset.name.indexOf(q) < 0;
      r.hidden = hide;
      if (!hide) count += 1;
    });
    shown.textContent = count + " of " + total + " documents shown";
  });

  function details(id) {
    var target = id && document.getElementById(id);
    return target && target.classList.contains("doc") ? target.querySelector("details") : null;
  }

  function openFromHash() {
    var d = details(location.hash.slice(1)); // ids are doc-N: nothing to decode (a stray % would throw)
    if (d) d.open = true;
  }
  window.addEventListener("hashchange", openFromHash);
  // a link to the page's current hash fires no hashchange: open on click too
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#doc-']");
    var d = link && details(link.getAttribute("href").slice(1));
    if (d) d.open = true;
  });
  openFromHash();

  function setAll(open) {
    document.querySelectorAll(".doc details").forEach(function (d) { d.open = open; });
  }
  document.getElementById("open-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("close-all").addEventListener("click", function () { setAll(false); });

  // a board paper prints every drill-down; the reader's own choice comes back after
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll(".doc details"), function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
})();
