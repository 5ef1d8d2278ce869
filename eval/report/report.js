"use strict";
// The per-example table of report.html: sort, filter, open a row. Text from the data goes into
// the page only through textContent / createTextNode, never as HTML.
(function () {
  var data = JSON.parse(document.getElementById("examples-data").textContent);
  var rows = data.rows;
  var state = { key: data.sort || data.fields[0] || "id", dir: 1, selected: null };
  var $ = function (id) { return document.getElementById(id); };
  var FLAGS = { cap: "hit length cap", inconsistent: "inconsistent", absent_names: "absent names",
                absent_numbers: "absent numbers" };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function fmt(v) {
    if (v === undefined || v === null) return "\u2013";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(4);
    return String(v);
  }
  function value(row, key) {
    if (key === "id") return row.id;
    if (key === "category") return row.category;
    var v = row.scores[key];
    return v === undefined ? null : v;
  }
  // text with [start, end, why] spans wrapped in <mark class=cls title=why>
  function marked(text, spans, cls) {
    var frag = document.createDocumentFragment(), pos = 0;
    spans.forEach(function (s) {
      if (s[0] < pos) return;
      frag.appendChild(document.createTextNode(text.slice(pos, s[0])));
      var m = el("mark", text.slice(s[0], s[1]), cls);
      m.title = s[2] || "";
      frag.appendChild(m);
      pos = s[1];
    });
    frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  function visible() {
    var text = $("filter-text").value.trim().toLowerCase();
    var category = $("filter-category").value;
    var flags = Object.keys(FLAGS).filter(function (f) { return $("flag-" + f).checked; });
    return rows.filter(function (r) {
      if (category && r.category !== category) return false;
      for (var i = 0; i < flags.length; i++) if (!r.flags[flags[i]]) return false;
      if (!text) return true;
      var hay = [r.id, r.category, r.prediction].concat(r.references).join("\n").toLowerCase();
      return hay.indexOf(text) !== -1;
    });
  }
  function sorted(list) {
    var key = state.key, dir = state.dir;
    return list.map(function (r, i) { return [r, i]; }).sort(function (x, y) {
      var a = value(x[0], key), b = value(y[0], key);
      if (a === null || b === null) return (a === null) - (b === null) || x[1] - y[1];  // missing last
      if (a < b) return -dir;
      if (a > b) return dir;
      return x[1] - y[1];
    }).map(function (p) { return p[0]; });
  }

  function header() {
    var head = $("examples-head");
    head.textContent = "";
    var keys = ["id", "category"];
    head.appendChild(el("th", "id")).dataset.key = "id";
    head.appendChild(el("th", "category", "text")).dataset.key = "category";
    head.appendChild(el("th", "prediction", "text"));
    head.appendChild(el("th", "flags", "text"));
    var cols = data.columns.slice();
    if (cols.indexOf(state.key) === -1 && keys.indexOf(state.key) === -1) cols.unshift(state.key);
    cols.forEach(function (f) {
      var th = head.appendChild(el("th", f + (f === state.key ? (state.dir > 0 ? " \u25b2" : " \u25bc") : "")));
      th.dataset.key = f;
    });
    return cols;
  }
  function render() {
    var cols = header();
    var body = $("examples-body"), list = sorted(visible());
    body.textContent = "";
    list.forEach(function (r) {
      var tr = el("tr");
      tr.dataset.id = r.id;
      if (state.selected === r) tr.className = "selected";
      tr.appendChild(el("td", r.id));
      tr.appendChild(el("td", r.category, "text"));
      var pred = el("td", null, "text");
      pred.appendChild(marked(r.prediction, r.spans, "unsupported"));
      tr.appendChild(pred);
      var flags = el("td", null, "text");
      Object.keys(FLAGS).forEach(function (f) { if (r.flags[f]) flags.appendChild(el("span", FLAGS[f], "flag")); });
      if (r.problem) flags.appendChild(el("span", "problem", "flag"));
      tr.appendChild(flags);
      cols.forEach(function (f) { tr.appendChild(el("td", fmt(value(r, f)))); });
      tr.addEventListener("click", function () { open(r); });
      body.appendChild(tr);
    });
    $("shown-count").textContent = list.length + " of " + rows.length + " rows";
    $("sort-field").value = state.key;
    $("sort-direction").textContent = state.dir > 0 ? "ascending" : "descending";
  }

  function open(r) {
    state.selected = r;
    var d = $("detail");
    d.textContent = "";
    d.hidden = false;
    d.appendChild(el("h3", "Example " + r.id + (r.category ? " (" + r.category + ")" : "")));
    var p = d.appendChild(el("p", null, "text prediction"));
    p.appendChild(el("b", "Prediction: "));
    p.appendChild(marked(r.prediction, r.spans, "unsupported"));
    if (r.problem) d.appendChild(el("p", "Problems: " + r.problem, "problem"));
    var scores = d.appendChild(el("p", null, "scores"));
    scores.textContent = Object.keys(r.scores).map(function (k) { return k + " " + fmt(r.scores[k]); }).join(" \u00b7 ");
    var cols = d.appendChild(el("div", null, "cols"));
    var left = cols.appendChild(el("div"));
    left.appendChild(el("h4", "Article"));
    var article = left.appendChild(el("p", null, "text article"));
    if (r.article) article.appendChild(marked(r.article, r.support, "support"));
    else article.textContent = "(no article)";
    var right = cols.appendChild(el("div"));
    right.appendChild(el("h4", r.references.length > 1 ? "References" : "Reference"));
    (r.references.length ? r.references : ["(no reference)"]).forEach(function (t) {
      right.appendChild(el("p", t, "text reference"));
    });
    render();
    d.scrollIntoView();
  }

  function sortBy(key) {
    state.dir = key === state.key ? -state.dir : 1;
    state.key = key;
    render();
  }

  var categories = {};
  rows.forEach(function (r) { categories[r.category] = true; });
  Object.keys(categories).sort().forEach(function (c) {
    var o = $("filter-category").appendChild(el("option", c));
    o.value = c;
  });
  ["id", "category"].concat(data.fields).forEach(function (f) {
    $("sort-field").appendChild(el("option", f)).value = f;
  });
  $("examples-head").addEventListener("click", function (e) {
    var key = e.target.dataset && e.target.dataset.key;
    if (key) sortBy(key);
  });
  $("sort-field").addEventListener("change", function () { state.key = this.value; state.dir = 1; render(); });
  $("sort-direction").addEventListener("click", function () { state.dir = -state.dir; render(); });
  $("filter-text").addEventListener("input", render);
  $("filter-category").addEventListener("change", render);
  Object.keys(FLAGS).forEach(function (f) { $("flag-" + f).addEventListener("change", render); });
  render();
})();
