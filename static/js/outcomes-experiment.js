// Draws the experiment chart (measurements against the baseline and target lines) from the
// JSON in the canvas's data-chart attribute; the table next to it has every number. Redrawn
// when htmx swaps in a new measurements region.
(function () {
  "use strict";

  var num = function (v) { return v === null || v === undefined ? null : Number(v); };

  function draw() {
    // No id on the canvas: htmx would copy the old canvas's style attribute (set by
    // Chart.js) onto the new one while settling, which the CSP refuses. A swap brings a
    // fresh canvas, so a chart is only ever drawn once per canvas (and never destroyed:
    // destroy() restores a style attribute too).
    var canvas = document.querySelector("canvas.experiment-chart");
    if (!canvas || !canvas.dataset.chart || typeof window.Chart === "undefined") {
      return;
    }
    if (window.Chart.getChart(canvas)) {
      return;
    }
    var d = JSON.parse(canvas.dataset.chart);
    var labels = d.points.map(function (p) { return p.date; });
    var flat = function (v) { return labels.map(function () { return num(v); }); };
    var datasets = [
      { label: d.metric || "Measured", data: d.points.map(function (p) { return num(p.value); }), borderColor: "#0b5cad", backgroundColor: "#0b5cad" }
    ];
    if (d.baseline !== null) {
      datasets.push({ label: "Baseline", data: flat(d.baseline), borderColor: "#5b6570", borderDash: [2, 3], pointRadius: 0 });
    }
    if (d.target !== null) {
      datasets.push({ label: "Target", data: flat(d.target), borderColor: "#1e7b34", borderDash: [6, 4], pointRadius: 0 });
    }
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    new window.Chart(canvas, {
      type: "line",
      data: { labels: labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { title: { display: !!d.unit, text: d.unit } } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  // After any swap: a new measurements region brings a new canvas with no chart on it yet.
  document.body.addEventListener("htmx:afterSettle", draw);
})();
