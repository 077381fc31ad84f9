// Draws the experiment chart (measurements against the baseline and target lines) from the
// data the page embeds with json_script; the table next to it has every number. Redrawn
// when htmx swaps in a new measurements region.
(function () {
  "use strict";

  var chart = null;
  var num = function (v) { return v === null || v === undefined ? null : Number(v); };

  function draw() {
    var source = document.getElementById("experiment-chart");
    var canvas = document.getElementById("chart-experiment");
    if (chart) {
      chart.destroy();
      chart = null;
    }
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var d = JSON.parse(source.textContent);
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
    chart = new window.Chart(canvas, {
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
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "measurements") {
      draw();
    }
  });
})();
