/* 科技大脑: draws the trend and ranking charts (chart.js, served from /static/vendor/chartjs/) from the JSON in
   <script id="trend-data"> and <script id="ranking-data"> of their sections (loaded by htmx after the page), and
   sorts the ranking table by a column. Without JavaScript each section is a page of its own whose table holds the
   same numbers. */
(function () {
  "use strict";

  var palette = ["#0b5cad", "#1e7d32", "#9a6700", "#b42318", "#6941c6", "#0e7490", "#c2410c", "#4d7c0f"];

  function readData(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function label(series) {
    return series.unit ? series.label + "（" + series.unit + "）" : series.label;
  }

  // A select listing the series; changing it redraws `chart` with the chosen one.
  function chooser(name, seriesList, draw) {
    var select = document.querySelector("[data-chart-select=" + name + "]");
    if (!select || !seriesList.length) return;
    seriesList.forEach(function (series, i) {
      var option = document.createElement("option");
      option.value = String(i);
      option.textContent = label(series);
      select.appendChild(option);
    });
    select.addEventListener("change", function () { draw(seriesList[Number(select.value)]); });
    select.closest(".db-chart-controls").hidden = false;
  }

  function chart(canvasId, type, labels, series, color) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || !window.Chart || window.Chart.getChart(canvas)) return null;
    return new window.Chart(canvas, {
      type: type,
      data: {
        labels: labels,
        datasets: [{
          label: label(series), data: series.values, borderColor: color, backgroundColor: color,
          tension: 0.2, spanGaps: true
        }]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: type === "bar" && labels.length > 6 ? "y" : "x",
        plugins: { legend: { display: true, position: "bottom" } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } }
      }
    });
  }

  function redraw(instance, series, color) {
    if (!instance) return;
    var dataset = instance.data.datasets[0];
    dataset.label = label(series);
    dataset.data = series.values;
    dataset.borderColor = dataset.backgroundColor = color;
    instance.update();
  }

  function charts() {
    var trend = readData("trend-data"), ranking = readData("ranking-data");
    if (trend && trend.series.length && !window.Chart.getChart(document.getElementById("trend-chart"))) {
      var years = trend.years.map(String);
      var trendChart = chart("trend-chart", "line", years, trend.series[0], palette[0]);
      chooser("trend", trend.series, function (series) {
        redraw(trendChart, series, palette[trend.series.indexOf(series) % palette.length]);
      });
    }
    if (ranking && ranking.series.length && ranking.regions.length
        && !window.Chart.getChart(document.getElementById("ranking-chart"))) {
      var names = ranking.regions.map(function (r) { return r.name; });
      var rankingChart = chart("ranking-chart", "bar", names, ranking.series[0], palette[1]);
      chooser("ranking", ranking.series, function (series) {
        redraw(rankingChart, series, palette[(ranking.series.indexOf(series) + 1) % palette.length]);
      });
    }
  }

  // Sortable tables: a button in each header; numbers sort largest first on the first click.
  function sortable(table) {
    if (table.hasAttribute("data-sort-ready")) return;
    table.setAttribute("data-sort-ready", "");
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, column) {
      var button = th.querySelector("button[data-sort]");
      if (!button) return;
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var numeric = button.getAttribute("data-sort") === "number";
        var current = th.getAttribute("aria-sort");
        var descending = current === "none" ? numeric : current === "ascending";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].getAttribute("data-sort-value") || "";
          var y = b.cells[column].getAttribute("data-sort-value") || "";
          var order;
          if (numeric) {
            var nx = x === "" ? -Infinity : Number(x), ny = y === "" ? -Infinity : Number(y);
            order = nx - ny;
          } else {
            order = x.localeCompare(y);
          }
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        headers.forEach(function (other) { if (other.hasAttribute("aria-sort")) other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      });
    });
  }

  // On load, and whenever htmx brings in a section (each step skips what is already set up).
  function start() {
    if (window.Chart) charts();
    document.querySelectorAll("table[data-sortable]").forEach(sortable);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.body.addEventListener("htmx:afterSettle", start);
})();
