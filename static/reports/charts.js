/* Draws every <canvas data-chart="ID"> from the JSON in <script id="ID"> (Django json_script). */
(function () {
  if (typeof Chart === "undefined") return;
  const palette = ["#198754", "#fd7e14", "#0d6efd", "#6f42c1", "#20c997", "#dc3545"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    data.datasets.forEach(function (ds, i) {
      ds.backgroundColor = ds.backgroundColor || palette[i % palette.length];
    });
    const horizontal = canvas.dataset.horizontal === "1";
    const chart = new Chart(canvas, {
      type: canvas.dataset.type || "bar",
      data: data,
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: data.datasets.length > 1 } },
        scales: { y: { beginAtZero: true } },
      },
    });
    canvas.dataset.ready = "1";
    // Redraw at paper size before printing so the chart is not cut or blurred.
    window.addEventListener("beforeprint", function () { chart.resize(); });
    window.addEventListener("afterprint", function () { chart.resize(); });
  });
  if (window.bootstrap) {
    document.querySelectorAll('[data-bs-toggle="tooltip"]').forEach(function (el) { new bootstrap.Tooltip(el); });
  }
})();
