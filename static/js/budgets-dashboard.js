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
  var lang = document.documentElement.lang || "en";
  var currency = s.fiscal_year.currency;
  var moneyShort = function (v) {
    return new Intl.NumberFormat(lang, { style: "currency", currency: currency, notation: "compact", maximumFractionDigits: 1 }).format(v);
  };
  var moneyFull = function (v) {
    return new Intl.NumberFormat(lang, { style: "currency", currency: currency, maximumFractionDigits: 0 }).format(v);
  };
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
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "% of marketing budget" }, ticks: { callback: function (v) { return v + "%"; } } } } }
  });

  function split(id, rows) {
    draw(id, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [{ label: "Committed", data: rows.map(function (r) { return num(r.amount); }), backgroundColor: colors[0] }]
      },
      options: {
        indexAxis: "y",
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (item) { return "Committed: " + moneyFull(item.parsed.x); } } }
        },
        scales: { x: { beginAtZero: true, ticks: { callback: function (v) { return moneyShort(v); } } } }
      }
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

  // Spend over time on a real time axis: x is the day of the fiscal year (0 = its first day),
  // so gaps between snapshots keep their width and the axis runs to the year's last day. No
  // date adapter is needed; the ticks are the first day of each month, labelled "1 Mar".
  // The forecast is a dashed line from the last snapshot to the end of the fiscal year.
  var DAY = 86400000;
  var dayOf = function (iso) { return Date.parse(iso + "T00:00:00Z"); };
  var start = dayOf(s.fiscal_year.starts_on);
  var lastDay = Math.round((dayOf(s.fiscal_year.ends_on) - start) / DAY);
  var x = function (iso) { return Math.round((dayOf(iso) - start) / DAY); };
  var monthFmt = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", timeZone: "UTC" });
  var dayLabel = function (n) { return monthFmt.format(new Date(start + n * DAY)); };
  var monthStarts = function () {
    var ticks = [];
    var d = new Date(start);
    d.setUTCDate(1);
    while (d.getTime() <= start + lastDay * DAY) {
      var n = Math.round((d.getTime() - start) / DAY);
      if (n >= 0) { ticks.push({ value: n }); }
      d.setUTCMonth(d.getUTCMonth() + 1);
    }
    return ticks;
  };
  var series = s.spend_over_time;
  if (series.length) {
    var points = function (key) {
      return series.map(function (p) { return { x: x(p.date), y: num(p[key]) }; });
    };
    var last = series[series.length - 1];
    var datasets = [
      { label: "Committed", data: points("committed"), borderColor: colors[0], backgroundColor: colors[0], pointRadius: 0 },
      { label: "Spent", data: points("spent"), borderColor: colors[1], backgroundColor: colors[1], pointRadius: 0 },
      { label: "Remaining (budget − spent)", data: points("remaining"), borderColor: colors[2], backgroundColor: colors[2], pointRadius: 0 }
    ];
    if (s.forecast) {
      datasets.push({
        label: "Forecast spent", borderColor: colors[1], backgroundColor: colors[1], borderDash: [6, 4], pointRadius: 3,
        data: [{ x: x(last.date), y: num(last.spent) }, { x: x(s.forecast.year_end_date), y: num(s.forecast.year_end_spent) }]
      });
    }
    datasets.push({
      label: "Innovation budget", borderColor: colors[4], backgroundColor: colors[4], borderDash: [2, 3], pointRadius: 0,
      data: [{ x: 0, y: num(s.innovation_budget) }, { x: lastDay, y: num(s.innovation_budget) }]
    });
    draw("chart-time", {
      type: "line",
      data: { datasets: datasets },
      options: {
        parsing: true,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: {
            type: "linear", min: 0, max: lastDay,
            afterBuildTicks: function (axis) { axis.ticks = monthStarts(); },
            ticks: { autoSkip: true, maxRotation: 0, callback: function (v) { return dayLabel(v); } }
          },
          y: { beginAtZero: true, ticks: { callback: function (v) { return moneyShort(v); } } }
        },
        plugins: {
          legend: { labels: { boxHeight: 3, boxWidth: 24 } },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? dayLabel(items[0].parsed.x) : ""; },
              label: function (item) { return item.dataset.label + ": " + moneyFull(item.parsed.y); }
            }
          }
        }
      }
    });
  }
})();
