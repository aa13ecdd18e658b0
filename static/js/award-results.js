// The results page of a ballot round (templates/awards/results.html):
//   - a bar chart of each candidate's share of the base against the pass line (Chart.js 4,
//     vendored), from <canvas data-award-chart data-chart-source="<json_script id>">;
//   - the search box over the published receipts: <input data-receipt-search="<list id>"
//     data-receipt-count="<counter id>"> hides the receipts that do not contain what is typed.
// No inline script or style (CSP): sizes are set here through the CSSOM.
(function () {
  "use strict";

  const RED = "#8b1a1a";
  const GREY = "#9aa0a6";
  const GOLD = "#c77700";
  const LOCALE = "vi-VN";

  function percent(value) {
    return Number(value).toLocaleString(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + "%";
  }

  // A dashed vertical line at the pass share: candidates must be strictly beyond it.
  const thresholdLine = {
    id: "awardThreshold",
    afterDatasetsDraw(chart, args, options) {
      if (options.value === undefined || options.value === null) { return; }
      const x = chart.scales.x.getPixelForValue(options.value);
      const { top, bottom } = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = GOLD;
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = GOLD;
      ctx.textAlign = "left";
      ctx.textBaseline = "bottom";
      ctx.fillText(options.label + " " + percent(options.value), x + 4, top - 2);
      ctx.restore();
    },
  };

  function drawChart(canvas) {
    const source = document.getElementById(canvas.dataset.chartSource);
    if (!source || !window.Chart) { return; }  // the table above carries the same numbers
    const data = JSON.parse(source.textContent);
    canvas.parentElement.style.height = Math.max(160, data.labels.length * 34 + 70) + "px";
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: data.label,
          data: data.percents,
          backgroundColor: data.elected.map((elected) => (elected ? RED : GREY)),
        }],
      },
      options: {
        indexAxis: "y", locale: LOCALE, responsive: true, maintainAspectRatio: false,
        layout: { padding: { top: 18 } },  // room for the pass line's label above the bars
        scales: { x: { beginAtZero: true, max: 100, ticks: { callback: (value) => value + "%" } } },
        plugins: {
          legend: { display: false },
          awardThreshold: { value: data.threshold, label: data.threshold_label },
          tooltip: {
            callbacks: {
              label: (item) =>
                data.votes[item.dataIndex] + " " + (canvas.dataset.votesWord || "phiếu") + " · " +
                percent(item.raw),
            },
          },
        },
      },
      plugins: [thresholdLine],
    });
  }

  function normalise(text) {
    return text.replace(/\s+/g, "").toLowerCase();
  }

  function wireSearch(input) {
    const list = document.getElementById(input.dataset.receiptSearch);
    const counter = document.getElementById(input.dataset.receiptCount);
    if (!list) { return; }
    const items = Array.from(list.querySelectorAll("li"));
    const total = items.length;
    input.addEventListener("input", () => {
      const query = normalise(input.value);
      let shown = 0;
      items.forEach((item) => {
        const match = !query || normalise(item.textContent).includes(query);
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      if (counter) {
        // The sentences come translated from the page (data-text-*), with {shown} / {total}.
        const text = (name, fallback) => (input.dataset[name] || fallback)
          .replace("{shown}", shown).replace("{total}", total);
        counter.textContent = query
          ? (shown ? text("textMatches", "{shown} / {total} phiếu khớp với mã đã nhập")
            : text("textNone", "Không tìm thấy mã này trong danh sách"))
          : text("textTotal", "{total} phiếu");
      }
    });
  }

  function start() {
    document.querySelectorAll("canvas[data-award-chart]").forEach(drawChart);
    document.querySelectorAll("input[data-receipt-search]").forEach(wireSearch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
