// powerkg graph view: draws the graph held in <script id="graph-data" type="application/json">
// with vis-network (loaded before this file). Every text of a list is put into the page with
// textContent, never parsed as HTML.
//
// What the page records on <body> for tests and screenshots: data-drawn (nodes drawn),
// data-labels (labels drawn inside the canvas at DATA_LEGIBLE_PX or more on screen),
// data-settled (physics stabilised and frozen), data-resources (requests that were not file:),
// data-placed (nodes that started from a position laid out at build time), data-kept (how much
// of that layout the settled drawing keeps: the lower of the correlations of the x and of the y
// coordinates, before and after).
(function () {
  "use strict";
  const LEGIBLE_PX = 11;     // a label drawn smaller than this on screen counts as unreadable
  const MIN_SCALE = 0.85;    // the default zoom never goes below this (labels stay readable)
  const body = document.body;
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const tooltip = (n) => {
    const tip = document.createElement("div");
    n.lines.forEach((line) => { const p = document.createElement("div"); p.textContent = line; tip.appendChild(p); });
    return tip;
  };
  // starting positions laid out at build time (views.starting_positions: 300–500 nodes)
  const placed = data.positions || {};
  const nodes = new vis.DataSet(data.nodes.map((n) => ({
    id: n.id, label: n.short, title: tooltip(n), shape: n.shape, group: undefined,
    x: (placed[n.id] || [])[0], y: (placed[n.id] || [])[1],
    color: {background: n.color, border: n.color, highlight: {background: n.color, border: "#000"}},
    font: {color: n.font, size: n.kind === "power" ? 15 : 16, face: "sans-serif",
           strokeWidth: n.shape === "box" ? 0 : 3, strokeColor: "#ffffff"},
    size: n.kind === "power" ? 11 : 13, margin: 6,
  })));
  const edges = new vis.DataSet(data.edges.map((e, i) => ({
    id: i, from: e.from, to: e.to, dashes: e.kind === "part", color: {color: e.kind === "part" ? "#9e9e9e" : "#5c6b7a"},
  })));
  const container = document.getElementById("net");
  const network = new vis.Network(container, {nodes, edges}, {
    // theta 0.8 (vis-network's default 0.5): a coarser Barnes–Hut approximation settles a view
    // of 400 nodes in about a quarter less time; at 1.0 fewer labels stay legible
    physics: {solver: "barnesHut",
              barnesHut: {gravitationalConstant: -2600, centralGravity: 0.35, springLength: 70, springConstant: 0.06,
                          avoidOverlap: 0.3, theta: 0.8},
              // from laid-out positions a drawing needs only to be relaxed
              stabilization: {iterations: data.positions ? 50 : 300, updateInterval: 100}},
    interaction: {hover: true, tooltipDelay: 150, navigationButtons: false},
    layout: {randomSeed: 7, improvedLayout: data.nodes.length < 300},
  });

  // labels drawn legibly inside the canvas in the last frame
  let counted = new Set();
  network.on("beforeDrawing", (ctx) => {
    counted = new Set();
    if (ctx.__powerkgCounting) return;
    ctx.__powerkgCounting = true;
    const fillText = ctx.fillText;
    ctx.fillText = function (text, x, y) {
      const t = this.getTransform();
      const px = parseFloat(this.font.match(/([\d.]+)px/) ? this.font.match(/([\d.]+)px/)[1] : "0") * t.a;
      const sx = t.a * x + t.e, sy = t.d * y + t.f;
      if (px >= LEGIBLE_PX && sx >= 0 && sy >= 0 && sx <= this.canvas.width && sy <= this.canvas.height) counted.add(text);
      return fillText.apply(this, arguments);
    };
  });
  network.on("afterDrawing", () => {
    body.dataset.drawn = String(network.body.nodeIndices.length);
    body.dataset.labels = String(counted.size);
    body.dataset.resources = String(performance.getEntriesByType("resource")
      .filter((entry) => !entry.name.startsWith("file:")).length);
  });
  const settle = () => {
    network.setOptions({physics: false});
    network.fit({animation: false});
    if (network.getScale() < MIN_SCALE) {
      // zoomed in to a readable scale around the centre of the drawing (or the page's subject)
      const focus = data.focus && byId.has(data.focus) && data.nodes.length < 80
        ? network.getPosition(data.focus) : network.getViewPosition();
      network.moveTo({position: focus, scale: MIN_SCALE, animation: false});
    }
    const at = network.getPositions();
    const ids = data.nodes.map((n) => n.id).filter((id) => id in placed);
    const correlation = (axis, key) => {
      const a = ids.map((id) => placed[id][axis]), b = ids.map((id) => at[id][key]);
      const mean = (v) => v.reduce((s, x) => s + x, 0) / v.length, ma = mean(a), mb = mean(b);
      const dot = (u, mu, v, mv) => u.reduce((s, x, i) => s + (x - mu) * (v[i] - mv), 0);
      return dot(a, ma, b, mb) / Math.sqrt(dot(a, ma, a, ma) * dot(b, mb, b, mb) || 1);
    };
    body.dataset.placed = String(ids.length);
    body.dataset.kept = ids.length ? Math.min(correlation(0, "x"), correlation(1, "y")).toFixed(2) : "";
    body.dataset.settled = "1";
  };
  network.once("stabilizationIterationsDone", settle);

  // side panel: the node's full text, official article text or the item's quoted basis, links
  const panel = document.getElementById("panel");
  const show = (n) => {
    panel.replaceChildren();
    const h = document.createElement("h2"); h.textContent = n.full; panel.append(h);
    n.facts.forEach(([key, value]) => {
      const p = document.createElement("p"); const k = document.createElement("b");
      k.textContent = key + "："; p.append(k, document.createTextNode(value)); panel.append(p);
    });
    if (n.text) {
      const k = document.createElement("h3"); k.textContent = n.text_title; panel.append(k);
      const t = document.createElement("blockquote"); t.textContent = n.text; panel.append(t);
    }
    n.links.forEach(([text, href]) => {
      const a = document.createElement("a"); a.textContent = text; a.href = href;
      const p = document.createElement("p"); p.append(a); panel.append(p);
    });
    panel.hidden = false;
  };
  network.on("click", (e) => { if (e.nodes.length && byId.has(e.nodes[0])) show(byId.get(e.nodes[0])); });
  network.on("doubleClick", (e) => {
    const n = e.nodes.length && byId.get(e.nodes[0]);
    if (n && n.links.length) location.href = n.links[0][1];
  });

  // clusters: provisions by instrument, powers by type
  const open = () => {
    for (const id of Object.keys(network.body.nodes)) if (network.isCluster(id)) network.openCluster(id);
  };
  const cluster = (key, kinds, title) => {
    open();
    const groups = new Map();
    data.nodes.filter((n) => kinds.includes(n.kind) && n[key]).forEach((n) => {
      if (!groups.has(n[key])) groups.set(n[key], n);
    });
    groups.forEach((first, value) => {
      network.cluster({
        joinCondition: (options) => byId.has(options.id) && kinds.includes(byId.get(options.id).kind)
          && byId.get(options.id)[key] === value,
        clusterNodeProperties: {id: "cluster:" + key + ":" + value, label: title(first, value), shape: "box",
          color: first.color, font: {color: first.font === "#ffffff" ? "#ffffff" : first.font, size: 16},
          margin: 8},
      });
    });
  };
  document.getElementById("by-instrument").addEventListener("click",
    () => cluster("cluster_instrument", ["provision", "instrument"], (n) => n.instrument_title + " …"));
  document.getElementById("by-type").addEventListener("click",
    () => cluster("group", ["power"], (n, value) => value + " …"));
  document.getElementById("unclustered").addEventListener("click", open);

  document.getElementById("count").textContent = data.nodes.length + " 个节点 nodes";
  document.getElementById("filter").addEventListener("input", (e) => {
    const q = e.target.value.trim();
    nodes.update(data.nodes.map((n) => ({id: n.id, hidden: q !== "" && !n.full.includes(q)})));
  });
})();
