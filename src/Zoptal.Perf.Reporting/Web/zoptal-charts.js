/*
 * Zoptal.Perf's charts: one piece of code for the HTML report and the live dashboard, drawn with uPlot (inlined by
 * the page, never fetched). A chart is a <figure data-chart-spec="id"> and a spec in the page's JSON:
 *   { kind: "lines" | "percentiles" | "bars" | "trend", title, xLabel, yLabel, unit, clip, categories,
 *     variants: [{ label, series: [{ label, x: [...], y: [...] }] }] }
 * Lines zoom by dragging (double-click resets) and show every series' value under the cursor; a figure with several
 * variants (a service and its scenarios) gets a selector; a latency spike far above the rest (the first second's JIT)
 * is cut off the y axis with a note and a button that shows the full range, so it does not flatten the chart; under
 * each chart its numbers as a table (a text alternative). Series differ by colour and by dash, never colour alone.
 */
(function (global) {
  "use strict";

  var palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  var dashes = [null, [8, 4], [2, 3], [10, 3, 2, 3]];
  var percentileTicks = [0, 1, 2, 3, 4, 5];
  var percentileLabels = ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"];
  var height = 300;

  function format(value, unit) {
    if (value == null || !isFinite(value)) return "–";
    var abs = Math.abs(value);
    var text = abs >= 1000 ? value.toFixed(0) : abs >= 100 ? value.toFixed(1) : abs >= 1 ? value.toFixed(2) : value.toFixed(3);
    return unit ? text + " " + unit : text;
  }

  function quantile(sorted, q) {
    if (sorted.length === 0) return NaN;
    var position = (sorted.length - 1) * q, low = Math.floor(position), high = Math.ceil(position);
    return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
  }

  function finite(values) {
    return values.filter(function (v) { return v != null && isFinite(v); });
  }

  // A spike far above the rest: the y range that keeps the rest readable, or null when nothing stands out.
  function clippedRange(series) {
    var all = [];
    series.forEach(function (s) { all = all.concat(finite(s.y)); });
    if (all.length < 10) return null;
    all.sort(function (a, b) { return a - b; });
    // A spike is a tenth of the points at most (a few seconds in a minute); more than that is the run's shape.
    var typical = quantile(all, 0.9), max = all[all.length - 1];
    if (!(typical > 0) || max <= typical * 3) return null;
    var kept = all.filter(function (v) { return v <= typical * 3; });
    var top = kept[kept.length - 1] * 1.15;
    var above = all.length - kept.length;
    return { top: top, max: max, above: above };
  }

  // Tick labels with as many decimals as their spacing needs: 0, 5, 10 or 0.25, 0.50; on a log axis, each its own.
  function ticks(splits, log) {
    // uPlot hands a log axis' unlabelled minor ticks as nulls.
    if (log) return splits.map(function (v) { return v == null ? null : v >= 1 ? v.toFixed(0) : v.toPrecision(1); });
    var step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : 1;
    var decimals = 0;
    while (decimals < 3 && step > 0 && Math.abs(step * Math.pow(10, decimals) - Math.round(step * Math.pow(10, decimals))) > 1e-6) decimals++;
    return splits.map(function (v) { return v.toFixed(decimals); });
  }

  function percentileLabel(x) {
    // x = log10(1 / (1 - p)): 1 is 90 %, 2 is 99 %.
    var p = 100 * (1 - Math.pow(10, -x));
    return (p >= 99.9 ? p.toFixed(3) : p >= 99 ? p.toFixed(2) : p.toFixed(1)) + "%";
  }

  function xValue(spec, x) {
    if (spec.kind === "percentiles") return percentileLabel(x);
    if (spec.categories) return spec.categories[Math.round(x)] != null ? spec.categories[Math.round(x)] : "";
    return format(x, "s");
  }

  function numbersTable(spec, variant) {
    var table = document.createElement("table");
    table.className = "chart-numbers";
    var head = table.createTHead().insertRow();
    ["series", "points", "min", "median", "max"].forEach(function (name) {
      var th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    });
    var body = table.createTBody();
    variant.series.forEach(function (s) {
      var values = finite(s.y).sort(function (a, b) { return a - b; });
      var row = body.insertRow();
      [s.label, String(values.length), format(values[0], spec.unit), format(quantile(values, 0.5), spec.unit), format(values[values.length - 1], spec.unit)]
        .forEach(function (text) { row.insertCell().textContent = text; });
      if (spec.categories) {
        s.x.forEach(function (x, i) {
          var point = body.insertRow();
          point.className = "point";
          [s.label + " · " + spec.categories[x], "", "", format(s.y[i], spec.unit), ""].forEach(function (text) { point.insertCell().textContent = text; });
        });
      }
    });
    return table;
  }

  function options(spec, variant, width, range, figure) {
    var isBars = spec.kind === "bars";
    var series = [{
      label: spec.xLabel || "x",
      value: function (u, v) { return v == null ? "–" : xValue(spec, v); },
    }];
    variant.series.forEach(function (s, i) {
      var colour = palette[i % palette.length];
      var entry = {
        label: s.label,
        stroke: colour,
        width: 1.5,
        spanGaps: false,
        value: function (u, v) { return format(v, spec.unit); },
      };
      if (!isBars && dashes[i % dashes.length]) entry.dash = dashes[i % dashes.length];
      if (spec.kind === "trend") entry.points = { show: true, size: 7, fill: colour };
      if (isBars) {
        var count = variant.series.length;
        entry.fill = colour + "cc";
        entry.paths = global.uPlot.paths.bars({ size: [0.8 / count, 80], align: count === 1 ? 0 : i === 0 ? -1 : 1 });
        entry.points = { show: false };
      }
      series.push(entry);
    });

    var xAxis = {
      label: spec.xLabel,
      stroke: "#1f2328",
      grid: { stroke: "#eaeef2" },
      values: function (u, splits) {
        var labels = spec.kind === "lines" ? ticks(splits, false).map(function (t) { return t + " s"; })
          : splits.map(function (x) { return xValue(spec, x); });
        figure.dataset.xTicks = JSON.stringify(labels);
        return labels;
      },
    };
    if (spec.kind === "percentiles") xAxis.splits = function () { return percentileTicks; };
    if (spec.categories) {
      // Every category while they fit (about 90 px each), else every k-th, the last (this run) always.
      xAxis.splits = function (u) {
        var n = spec.categories.length, step = Math.max(1, Math.ceil(n * 90 / Math.max(90, u.bbox.width / (global.devicePixelRatio || 1))));
        var splits = [];
        for (var i = (n - 1) % step; i < n; i += step) splits.push(i);
        return splits;
      };
      xAxis.size = 60;
    }

    var yAxis = {
      label: spec.yLabel,
      stroke: "#1f2328",
      grid: { stroke: "#eaeef2" },
      size: 60,
      values: function (u, splits) {
        var labels = ticks(splits, spec.kind === "percentiles");
        figure.dataset.yTicks = JSON.stringify(labels);
        return labels;
      },
    };

    var scales = { x: { time: false } };
    if (spec.kind === "percentiles") {
      scales.x.range = function (u, min, max) { return [0, Math.max(1, Math.ceil(max))]; };
      scales.y = { distr: 3 };
    } else if (spec.categories) {
      scales.x.range = function () { return [-0.5, spec.categories.length - 0.5]; };
      scales.y = { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } };
    } else {
      scales.y = { range: function (u, min, max) { return [0, range ? range.top : max > 0 ? max * 1.05 : 1]; } };
    }

    return {
      width: width,
      height: height,
      title: spec.title,
      series: series,
      axes: [xAxis, yAxis],
      scales: scales,
      legend: { live: true },
      cursor: { drag: { x: !spec.categories, y: false } },
    };
  }

  function data(spec, variant) {
    if (spec.kind === "percentiles") {
      // Each service has its own percentiles: joined on their x, no line drawn across a gap.
      return global.uPlot.join(variant.series.map(function (s) { return [s.x, s.y.map(function (v) { return Math.max(v, 0.001); })]; }));
    }
    return global.uPlot.join(variant.series.map(function (s) { return [s.x, s.y]; }));
  }

  /** Draws one chart into its figure; returns a handle whose update(spec) redraws with new numbers (the dashboard). */
  function render(figure, spec) {
    var state = { variant: 0, full: false, plot: null };
    var holder = document.createElement("div");
    holder.className = "plot";
    var note = document.createElement("p");
    note.className = "chart-note";
    var details = document.createElement("details");
    details.className = "chart-data";
    var summary = document.createElement("summary");
    summary.textContent = "The numbers";
    details.appendChild(summary);

    if (spec.variants.length > 1) {
      var label = document.createElement("label");
      label.className = "chart-variant";
      label.textContent = "Show ";
      var select = document.createElement("select");
      spec.variants.forEach(function (v, i) {
        var option = document.createElement("option");
        option.value = String(i);
        option.textContent = v.label;
        select.appendChild(option);
      });
      select.addEventListener("change", function () { state.variant = Number(select.value); draw(); });
      label.appendChild(select);
      figure.appendChild(label);
    }

    figure.appendChild(holder);
    figure.appendChild(note);
    figure.appendChild(details);

    function width() {
      return Math.max(260, Math.floor(figure.clientWidth || 600));
    }

    function draw() {
      var variant = spec.variants[state.variant];
      var points = variant.series.reduce(function (n, s) { return n + finite(s.y).length; }, 0);
      if (state.plot) { state.plot.destroy(); state.plot = null; }
      holder.textContent = "";
      note.textContent = "";
      if (points === 0) {
        holder.textContent = "No data for " + spec.title + ".";
        holder.className = "plot empty";
        figure.dataset.rendered = "empty";
        return;
      }

      holder.className = "plot";
      var range = spec.clip && !state.full ? clippedRange(variant.series) : null;
      state.plot = new global.uPlot(options(spec, variant, width(), range, figure), data(spec, variant), holder);
      figure.uplot = state.plot;
      if (range) {
        note.textContent = "The y axis stops at " + format(range.top, spec.unit) + ": " + range.above + " point(s) above it, up to " + format(range.max, spec.unit) + ". ";
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = "Show the full range";
        button.addEventListener("click", function () { state.full = true; draw(); });
        note.appendChild(button);
      } else if (spec.clip && state.full) {
        var back = document.createElement("button");
        back.type = "button";
        back.textContent = "Cut the spike off again";
        back.addEventListener("click", function () { state.full = false; draw(); });
        note.appendChild(back);
      }

      if (details.lastChild !== summary) details.removeChild(details.lastChild);
      details.appendChild(numbersTable(spec, variant));
      figure.setAttribute("aria-label", spec.title + ": " + variant.series.map(function (s) { return s.label; }).join(", ") + " (the numbers are in the table below)");
      figure.dataset.rendered = "true";
    }

    draw();
    if (global.ResizeObserver) {
      var last = width();
      new global.ResizeObserver(function () {
        var now = width();
        if (state.plot && now !== last) { last = now; state.plot.setSize({ width: now, height: height }); }
      }).observe(figure);
    }

    return {
      update: function (next) { spec = next; draw(); },
    };
  }

  /** Draws every figure[data-chart-spec] under root from the JSON in the script element with the given id. */
  function renderAll(root, dataId) {
    var source = document.getElementById(dataId);
    if (!source) return [];
    var specs = JSON.parse(source.textContent);
    var handles = [];
    root.querySelectorAll("figure[data-chart-spec]").forEach(function (figure) {
      var spec = specs[figure.getAttribute("data-chart-spec")];
      if (spec) handles.push(render(figure, spec));
    });
    return handles;
  }

  global.ZoptalCharts = { render: render, renderAll: renderAll, format: format };
})(window);
