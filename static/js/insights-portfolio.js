// Draws the portfolio's charts from the figures the page embeds with json_script (one
// computation: insights.portfolio.portfolio). Each chart has a data table next to it in the
// page, so nothing here is the only way to read a number.
(function () {
  "use strict";

  var source = document.getElementById("portfolio-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var p = JSON.parse(source.textContent);
  var Chart = window.Chart;
  var num = function (v) { return v === null || v === undefined ? null : Number(v); };
  var colors = ["#0b5cad", "#1e7b34", "#9a5b00"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) {
      new Chart(canvas, config);
    }
  }

  // Expected (per year) next to realised (to date) for each group of a split.
  function versus(id, rows) {
    var cur = " (" + p.fiscal_year.currency + ")";
    draw(id, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [
          { label: "Expected per year" + cur, data: rows.map(function (r) { return num(r.expected); }), backgroundColor: colors[0] },
          { label: "Realised to date" + cur, data: rows.map(function (r) { return num(r.realised); }), backgroundColor: colors[1] }
        ]
      },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true } } }
    });
  }
  versus("chart-type", p.by_type);
  versus("chart-horizon", p.by_horizon);

  draw("chart-funnel", {
    type: "bar",
    data: {
      labels: p.funnel.map(function (r) { return r.label; }),
      datasets: [{ label: "Ideas", data: p.funnel.map(function (r) { return r.ideas; }), backgroundColor: colors[2] }]
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
})();
