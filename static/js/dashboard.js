/* Trend charts of the target dashboard, drawn with the vendored Chart.js from the data that the
   page embeds (json_script). Nothing is computed here: the points are the snapshots' values,
   the expected line joins 0 at the start to the target at the end date, the forecast joins the
   latest snapshot to the target on the forecast date. */
(function () {
  "use strict";

  var COLOURS = { actual: "#0072b2", target: "#000000", expected: "#e69f00", forecast: "#cc79a7" };
  var lang = document.documentElement.lang || undefined;
  var charts = [];

  // The browser's own month names where it knows the page's language; otherwise (Kreyòl: no
  // browser ships it) the catalogue's short month names, which the chart's data carries.
  var browserKnowsLang = !!lang && Intl.DateTimeFormat.supportedLocalesOf([lang]).length > 0;

  function dayFormatter(months) {
    return function (ms) {
      var day = new Date(ms);
      if (browserKnowsLang || !months) {
        return day.toLocaleDateString(lang, { year: "numeric", month: "short", timeZone: "UTC" });
      }
      return months[day.getUTCMonth()] + " " + day.getUTCFullYear();
    };
  }

  function formatNumber(value) {
    return Number(value).toLocaleString(lang, { maximumFractionDigits: 2 });
  }

  function datasets(data) {
    var sets = [
      {
        label: data.labels.actual,
        data: data.points,
        borderColor: COLOURS.actual,
        backgroundColor: COLOURS.actual,
        borderWidth: 3,
        pointRadius: 2.5,
        pointStyle: "circle",
        stepped: "before",
      },
      {
        label: data.labels.target,
        data: [{ x: data.start, y: data.target }, { x: data.x_max, y: data.target }],
        borderColor: COLOURS.target,
        backgroundColor: COLOURS.target,
        borderWidth: 1.5,
        borderDash: [8, 4],
        pointRadius: 0,
      },
      {
        label: data.labels.expected,
        data: [{ x: data.start, y: 0 }, { x: data.end, y: data.target }, { x: data.x_max, y: data.target }],
        borderColor: COLOURS.expected,
        backgroundColor: COLOURS.expected,
        borderWidth: 2.5,
        borderDash: [2, 3],
        pointRadius: 0,
      },
    ];
    if (data.forecast && data.points.length) {
      var latest = data.points[data.points.length - 1];
      sets.push({
        label: data.labels.forecast,
        data: [latest, { x: data.forecast, y: data.target }],
        borderColor: COLOURS.forecast,
        backgroundColor: COLOURS.forecast,
        borderWidth: 2,
        borderDash: [10, 3, 2, 3],
        pointRadius: [0, 4],
        pointStyle: "triangle",
      });
    }
    return sets;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.trend);
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var formatDay = dayFormatter(data.months);
    if (!data.points) return;
    var chart = new Chart(canvas, {
      type: "line",
      data: { datasets: datasets(data) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: true,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: {
            type: "linear",
            min: data.start,
            max: data.x_max,
            ticks: { callback: formatDay, maxTicksLimit: 8 },
          },
          y: {
            beginAtZero: true,
            suggestedMax: data.target * 1.05,
            title: { display: true, text: data.unit },
            ticks: { callback: formatNumber },
          },
        },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: false, boxHeight: 2 } },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? formatDay(items[0].parsed.x) : ""; },
              label: function (item) { return item.dataset.label + ": " + formatNumber(item.parsed.y); },
            },
          },
        },
      },
    });
    canvas.dataset.chartReady = "true";
    charts.push(chart);
  }

  function forPrint() {
    document.querySelectorAll(".dashboard details").forEach(function (details) {
      if (!details.open) { details.dataset.closedOnScreen = "true"; details.open = true; }
    });
    charts.forEach(function (chart) { chart.resize(); });
  }

  function afterPrint() {
    document.querySelectorAll(".dashboard details[data-closed-on-screen]").forEach(function (details) {
      details.open = false;
      delete details.dataset.closedOnScreen;
    });
    charts.forEach(function (chart) { chart.resize(); });
  }

  /* The open page follows its figures (dashboard.views.live): each answer holds the projects of
     this page with a snapshot newer than the newest the page shows, rendered as on the board;
     each replaces its section. The request waits on the server until there is one (204: none
     came, ask again, after Retry-After when the server says so); a hidden tab stops asking until it
     is shown; a signed-out page stops. */
  var board = document.getElementById("board");
  var status = document.getElementById("board-status");
  var RETRY_MS = 10000;
  var MAX_RETRY_MS = 60000;

  function undraw(root) {
    root.querySelectorAll("canvas[data-trend]").forEach(function (canvas) {
      var chart = typeof Chart === "undefined" ? null : Chart.getChart(canvas);
      if (!chart) return;
      chart.destroy();
      charts.splice(charts.indexOf(chart), 1);
    });
  }

  function replaceProject(pk, html) {
    var old = board.querySelector('section.project[aria-labelledby="project-' + pk + '"]');
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var fresh = template.content.firstElementChild;
    if (!old || !fresh) return false;
    undraw(old);
    old.replaceWith(fresh);
    fresh.querySelectorAll("canvas[data-trend]").forEach(draw);
    return true;
  }

  function follow(delay, retry) {
    var shown = board && board.querySelector(".dashboard[data-figures]");
    if (!shown || !board.dataset.live) return;
    window.setTimeout(function () {
      if (document.hidden) {
        document.addEventListener("visibilitychange", function () { follow(0, retry); }, { once: true });
        return;
      }
      var url = board.dataset.live + "&figures=" + encodeURIComponent(shown.dataset.figures);
      fetch(url, { credentials: "same-origin", redirect: "manual", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) return;  // signed out
          // 204: nothing changed; with Retry-After, the server had no place for the page to wait.
          if (response.status === 204) return follow(1000 * Number(response.headers.get("Retry-After") || 0), RETRY_MS);
          if (response.status !== 200) return follow(retry, Math.min(retry * 2, MAX_RETRY_MS));
          return response.json().then(function (answer) {
            var changed = Object.keys(answer.projects).filter(function (pk) { return replaceProject(pk, answer.projects[pk]); });
            shown.dataset.figures = String(answer.figures);
            if (changed.length && status) status.textContent = status.dataset.updated;
            follow(0, RETRY_MS);
          });
        })
        .catch(function () { follow(retry, Math.min(retry * 2, MAX_RETRY_MS)); });
    }, delay);
  }

  document.querySelectorAll("canvas[data-trend]").forEach(draw);
  follow(0, RETRY_MS);
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  window.addEventListener("beforeprint", forPrint);
  window.addEventListener("afterprint", afterPrint);
})();
