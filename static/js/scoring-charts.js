// Charts of the summary table (Chart.js 4, vendored). Data come from json_script elements:
//   <canvas data-chart="ranking|unit-groups|unit-trend" data-chart-source="<json_script id>">
// No inline script or style (CSP): sizes are set here through the CSSOM.
(function () {
  "use strict";

  const RED = "#8b1a1a";
  const GREY = "#6c757d";
  const GOLD = "#c77700";
  const LOCALE = "vi-VN";

  function readData(canvas) {
    const source = document.getElementById(canvas.dataset.chartSource);
    return source ? JSON.parse(source.textContent) : null;
  }

  function points(value) {
    return Number(value).toLocaleString(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  const tooltip = { callbacks: { label: (item) => item.dataset.label + ": " + points(item.raw) } };

  function ranking(canvas, data) {
    // One bar per unit: the box grows with the number of units so names stay legible.
    canvas.parentElement.style.height = Math.max(160, data.labels.length * 26 + 60) + "px";
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: RED }] },
      options: {
        indexAxis: "y", locale: LOCALE, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip },
        scales: { x: { beginAtZero: true } },
        onClick: (event, elements) => {
          if (elements.length && data.links) { window.location.href = data.links[elements[0].index]; }
        },
        onHover: (event, elements) => {
          if (event.native) { event.native.target.style.cursor = elements.length ? "pointer" : "default"; }
        },
      },
    });
  }

  function unitGroups(canvas, data) {
    canvas.parentElement.style.height = "340px";
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.unit_label, data: data.unit, backgroundColor: RED },
          { label: data.average_label, data: data.average, backgroundColor: GREY },
          { label: data.max_label, data: data.max, backgroundColor: "rgba(199, 119, 0, 0.25)", borderColor: GOLD,
            borderWidth: 1 },
        ],
      },
      options: {
        locale: LOCALE, responsive: true, maintainAspectRatio: false,
        plugins: { tooltip },
        scales: { y: { beginAtZero: true }, x: { ticks: { autoSkip: false, maxRotation: 30 } } },
      },
    });
  }

  function unitTrend(canvas, data) {
    canvas.parentElement.style.height = "340px";
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, borderColor: RED,
        backgroundColor: RED, tension: 0.2, pointRadius: 4 }] },
      options: { locale: LOCALE, responsive: true, maintainAspectRatio: false, plugins: { tooltip } },
    });
  }

  const KINDS = { "ranking": ranking, "unit-groups": unitGroups, "unit-trend": unitTrend };

  function start() {
    if (!window.Chart) { return; }  // the tables beside each chart carry the same numbers
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const draw = KINDS[canvas.dataset.chart];
      const data = readData(canvas);
      if (draw && data) { draw(canvas, data); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
