"use strict";
// The side-by-side table of compare.html: pick a field, sort by the difference or either
// system's score, filter by text. Text goes into the page only through textContent.
(function () {
  var data = JSON.parse(document.getElementById("examples-data").textContent);
  var rows = data.rows;
  var state = { field: data.metric || data.fields[0], key: "absdiff", dir: -1 };
  var $ = function (id) { return document.getElementById(id); };
  var COLUMNS = [["id", "id"], ["a", "A"], ["b", "B"], ["diff", "B \u2212 A"], ["absdiff", "|B \u2212 A|"]];

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function fmt(v, signed) {
    if (v === undefined || v === null) return "\u2013";
    var s = Number.isInteger(v) ? String(v) : v.toFixed(4);
    return signed && v > 0 ? "+" + s : s;
  }
  function value(r, key) {
    var a = r.a[state.field], b = r.b[state.field];
    a = a === undefined ? null : a;
    b = b === undefined ? null : b;
    if (key === "id") return r.id;
    if (key === "a") return a;
    if (key === "b") return b;
    if (a === null || b === null) return null;
    return key === "diff" ? b - a : Math.abs(b - a);
  }
  function render() {
    var text = $("filter-text").value.trim().toLowerCase();
    var list = rows.filter(function (r) {
      return !text || [r.id, r.prediction_a, r.prediction_b, r.reference].join("\n").toLowerCase().indexOf(text) !== -1;
    }).map(function (r, i) { return [r, i]; }).sort(function (x, y) {
      var a = value(x[0], state.key), b = value(y[0], state.key);
      if (a === null || b === null) return (a === null) - (b === null) || x[1] - y[1];
      return a < b ? -state.dir : a > b ? state.dir : x[1] - y[1];
    }).map(function (p) { return p[0]; });
    var head = $("side-head");
    head.textContent = "";
    COLUMNS.forEach(function (c) {
      var mark = c[0] === state.key ? (state.dir > 0 ? " \u25b2" : " \u25bc") : "";
      head.appendChild(el("th", c[1] + mark)).dataset.key = c[0];
    });
    ["prediction A", "prediction B", "reference"].forEach(function (t) { head.appendChild(el("th", t, "text")); });
    var body = $("side-body");
    body.textContent = "";
    list.forEach(function (r) {
      var tr = body.appendChild(el("tr"));
      tr.dataset.id = r.id;
      var d = value(r, "diff");
      tr.appendChild(el("td", r.id));
      tr.appendChild(el("td", fmt(value(r, "a"))));
      tr.appendChild(el("td", fmt(value(r, "b"))));
      tr.appendChild(el("td", fmt(d, true), d > 0 ? "up" : d < 0 ? "down" : ""));
      tr.appendChild(el("td", fmt(value(r, "absdiff"))));
      tr.appendChild(el("td", r.prediction_a, "text"));
      tr.appendChild(el("td", r.prediction_b, "text"));
      tr.appendChild(el("td", r.reference, "text"));
    });
    $("shown-count").textContent = list.length + " of " + rows.length + " examples";
    $("sort-key").value = state.key;
    $("sort-direction").textContent = state.dir > 0 ? "ascending" : "descending";
  }
  data.fields.forEach(function (f) { $("compare-field").appendChild(el("option", f)).value = f; });
  COLUMNS.forEach(function (c) { $("sort-key").appendChild(el("option", c[1])).value = c[0]; });
  $("compare-field").value = state.field;
  $("compare-field").addEventListener("change", function () { state.field = this.value; render(); });
  $("sort-key").addEventListener("change", function () { state.key = this.value; render(); });
  $("sort-direction").addEventListener("click", function () { state.dir = -state.dir; render(); });
  $("filter-text").addEventListener("input", render);
  $("side-head").addEventListener("click", function (e) {
    var key = e.target.dataset && e.target.dataset.key;
    if (!key) return;
    state.dir = key === state.key ? -state.dir : (key === "id" ? 1 : -1);
    state.key = key;
    render();
  });
  render();
})();
