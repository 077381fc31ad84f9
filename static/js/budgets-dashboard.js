// Draws the budget dashboard's charts from the summary the page embeds with json_script
// (one computation: insights.dashboard.executive_summary). Each chart has a data table
// next to it in the page, so nothing here is the only way to read a number.
(function () {
  "use strict";

  var source = document.getElementById("budget-summary");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var s = JSON.parse(source.textContent);
  var Chart = window.Chart;
  var num = function (v) { return v === null || v === undefined ? null : Number(v); };
  var colors = ["#0b5cad", "#1e7b34", "#9a5b00", "#6b3fa0", "#b3261e", "#2f7f86", "#5b6570"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) {
      new Chart(canvas, config);
    }
  }

  // Committed and spent as % of the marketing budget under both definitions, with the
  // target as a line across both groups.
  draw("chart-target", {
    type: "bar",
    data: {
      labels: ["All innovation", "New only"],
      datasets: [
        { label: "Committed %", data: [num(s.committed_pct), num(s.committed_new_only_pct)], backgroundColor: colors[0] },
        { label: "Spent %", data: [num(s.spent_pct), num(s.spent_new_only_pct)], backgroundColor: colors[1] },
        {
          type: "line", label: "Target %", data: [num(s.target_pct), num(s.target_pct)],
          borderColor: colors[4], borderDash: [6, 4], pointStyle: "line", fill: false
        }
      ]
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "% of marketing budget" } } } }
  });

  function split(id, rows) {
    draw(id, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [{ label: "Committed (" + s.fiscal_year.currency + ")", data: rows.map(function (r) { return num(r.amount); }), backgroundColor: colors[0] }]
      },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } }
    });
  }
  split("chart-type", s.by_innovation_type);
  split("chart-cycle", s.by_cycle);
  split("chart-campaign", s.by_campaign);

  draw("chart-funnel", {
    type: "bar",
    data: {
      labels: s.funnel.map(function (r) { return r.label; }),
      datasets: [{ label: "Ideas", data: s.funnel.map(function (r) { return r.ideas; }), backgroundColor: colors[5] }]
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
  });

  // Spend over time from the daily snapshots, the burn-down of what is left, and the
  // forecast as a dashed line from the last snapshot to the end of the fiscal year.
  var series = s.spend_over_time;
  if (series.length) {
    var labels = series.map(function (p) { return p.date; });
    var forecast = labels.map(function () { return null; });
    if (s.forecast) {
      forecast[forecast.length - 1] = num(series[series.length - 1].spent);
      labels.push(s.forecast.year_end_date);
      forecast.push(num(s.forecast.year_end_spent));
    }
    var pad = function (values) { return s.forecast ? values.concat([null]) : values; };
    draw("chart-time", {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          { label: "Committed", data: pad(series.map(function (p) { return num(p.committed); })), borderColor: colors[0], pointRadius: 0 },
          { label: "Spent", data: pad(series.map(function (p) { return num(p.spent); })), borderColor: colors[1], pointRadius: 0 },
          { label: "Remaining (budget − spent)", data: pad(series.map(function (p) { return num(p.remaining); })), borderColor: colors[2], pointRadius: 0 },
          { label: "Forecast spent", data: forecast, borderColor: colors[1], borderDash: [6, 4], spanGaps: true },
          { label: "Innovation budget", data: labels.map(function () { return num(s.innovation_budget); }), borderColor: colors[4], borderDash: [2, 3], pointRadius: 0 }
        ]
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: s.fiscal_year.currency } } } }
    });
  }
})();
