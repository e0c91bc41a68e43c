// awsgraph view: draws the embedded subgraph with cytoscape. Every value from
// the store reaches the page through textContent, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
  var classes = Array.from(new Set(data.entities.map(function (n) { return n.class; }))).sort();
  function color(c) { return palette[classes.indexOf(c) % palette.length]; }
  var byKey = new Map();
  var elements = [];
  data.entities.forEach(function (n) {
    byKey.set(n.key, n);
    elements.push({ group: "nodes", data: { id: n.key, label: n.name, cls: n.class, color: color(n.class), mapped: n.mapped ? 1 : 0 } });
  });
  data.relationships.forEach(function (e) {
    elements.push({ group: "edges", data: { id: "rel:" + e.key, source: e.from, target: e.to, label: e.verb, mapped: e.mapped ? 1 : 0 } });
  });
  // A large graph comes with positions computed by awsgraph (a force layout
  // in the page took a minute for 2,000 nodes); it also gets the faster
  // rendering settings.
  var big = !!data.positions;
  var started = performance.now();
  var cy = cytoscape({
    container: document.getElementById("cy"),
    elements: elements,
    textureOnViewport: big,
    hideEdgesOnViewport: big,
    minZoom: 0.02,
    maxZoom: 4,
    style: [
      { selector: "node", style: { "background-color": "data(color)", "label": "data(label)", "font-size": 9,
        "min-zoomed-font-size": big ? 11 : 7, "text-valign": "bottom", "text-margin-y": 2, "width": 18, "height": 18 } },
      { selector: "node[mapped = 1]", style: { "border-width": 2, "border-style": "dashed", "border-color": "#555", "background-opacity": 0.4 } },
      { selector: "node.match", style: { "border-width": 4, "border-color": "#000", "border-style": "solid", "width": 28, "height": 28 } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#d00" } },
      { selector: "edge", style: { "width": 1, "line-color": "#bbb", "target-arrow-color": "#bbb", "target-arrow-shape": "triangle",
        "curve-style": big ? "straight" : "bezier", "label": "data(label)", "font-size": 7, "min-zoomed-font-size": 8, "color": "#666",
        "text-rotation": "autorotate" } },
      { selector: "edge[mapped = 1]", style: { "line-style": "dashed" } }
    ],
    layout: { name: "preset" }
  });
  var layout = cy.layout(big ? {
    name: "preset", positions: function (n) { var p = data.positions[n.id()]; return { x: p[0], y: p[1] }; }
  } : { name: "cose", animate: false, randomize: true, nodeDimensionsIncludeLabels: true });
  layout.one("layoutstop", function () {
    var ms = Math.round(performance.now() - started);
    cy.fit(undefined, 20);
    window.awsgraphView = { ready: true, nodes: cy.nodes().length, edges: cy.edges().length, layoutMs: ms };
    document.getElementById("stats").textContent = cy.nodes().length + " entities, " + cy.edges().length +
      " relationships (layout " + ms + " ms)";
  });
  layout.run();
  window.cy_for_test = function () { return cy; };

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    tr.appendChild(td);
  }
  function show(key) {
    var n = byKey.get(key);
    var box = document.getElementById("props");
    box.textContent = "";
    var h = document.createElement("h2");
    h.textContent = n.name;
    box.appendChild(h);
    var table = document.createElement("table");
    table.id = "props-table";
    Object.keys(n.props).sort().forEach(function (k) {
      var v = n.props[k];
      var tr = document.createElement("tr");
      cell(tr, k, "k");
      cell(tr, typeof v === "string" ? v : JSON.stringify(v));
      table.appendChild(tr);
    });
    box.appendChild(table);
    var rels = cy.getElementById(key).connectedEdges();
    if (rels.length > 0) {
      var h3 = document.createElement("h2");
      h3.textContent = "Relationships (" + rels.length + ")";
      box.appendChild(h3);
      var rt = document.createElement("table");
      rels.forEach(function (e) {
        var out = e.data("source") === key;
        var other = byKey.get(out ? e.data("target") : e.data("source"));
        var tr = document.createElement("tr");
        cell(tr, (out ? "" : "\u2190 ") + e.data("label") + (out ? " \u2192" : ""), "k");
        cell(tr, other ? other.name : "?");
        rt.appendChild(tr);
      });
      box.appendChild(rt);
    }
  }
  cy.on("tap", "node", function (evt) { show(evt.target.id()); });

  var search = document.getElementById("search");
  function find() {
    var q = search.value.trim().toLowerCase();
    cy.nodes(".match").removeClass("match");
    var result = document.getElementById("search-result");
    if (q === "") { result.textContent = ""; return; }
    var hits = cy.nodes().filter(function (n) {
      return n.data("label").toLowerCase().indexOf(q) >= 0 || n.id().toLowerCase().indexOf(q) >= 0;
    });
    hits.addClass("match");
    result.textContent = hits.length + (hits.length === 1 ? " match" : " matches");
    if (hits.length > 0) {
      cy.fit(hits, 80);
      if (cy.zoom() > 1.5) { cy.zoom({ level: 1.5, renderedPosition: hits[0].renderedPosition() }); }
      show(hits[0].id());
    }
  }
  search.addEventListener("input", find);

  var legend = document.getElementById("legend");
  var h = document.createElement("h2");
  h.textContent = "Classes";
  legend.appendChild(h);
  classes.forEach(function (c) {
    var div = document.createElement("div");
    var sw = document.createElement("span");
    sw.className = "sw";
    sw.style.background = color(c);
    div.appendChild(sw);
    div.appendChild(document.createTextNode((c || "(none)") + " (" + cy.nodes().filter(function (n) { return n.data("cls") === c; }).length + ")"));
    legend.appendChild(div);
  });
  var note = document.createElement("p");
  note.className = "hint";
  note.textContent = "Dashed: mapped relationships and the placeholder entities they created. Edge labels are the relationship verbs (_class).";
  legend.appendChild(note);
})();
