/* 数据看板: draws the trend and the map (township shapes from the GeoJSON the page embeds,
   registered with echarts.registerMap; villages as dots) with ECharts from the JSON the page
   embeds (#dashboard-data). No inline script or style (the portal's CSP), and no Chinese here: the
   labels come with the data. Tooltips are drawn on the canvas (renderMode richText), since
   HTML tooltips would carry inline styles. */
(function () {
  "use strict";

  var BLUE = "#1554ad";
  var GREEN = "#16a34a";
  var charts = [];

  function readData() {
    var node = document.getElementById("dashboard-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function percent(value) {
    return (value * 100).toFixed(1) + "%";
  }

  function start(node) {
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function drawTrend(node, data) {
    var labels = data.labels;
    start(node).setOption({
      animation: false,
      color: [BLUE, GREEN],
      grid: { left: 40, right: 16, top: 40, bottom: 56 },
      legend: { top: 8, data: [labels.submitted, labels.closed] },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: data.days, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1, name: labels.cases, nameGap: 10 },
      dataZoom: data.days.length > 45 ? [{ type: "inside" }, { type: "slider", height: 18, bottom: 6 }] : [],
      series: [
        { name: labels.submitted, type: "line", data: data.submitted, showSymbol: data.days.length <= 45 },
        { name: labels.closed, type: "line", data: data.closed, showSymbol: data.days.length <= 45 }
      ]
    });
  }

  var SCALE = ["#c62828", "#f5b700", "#16a34a"];
  var NAME_FONT = "sans-serif";

  function isNarrow(node) {
    return node.clientWidth < 560;
  }

  // Township names: every one is drawn, none hidden. The full names when each fits at its
  // shape's centre; else the short ones (北干街道 → 北干, from the data); a name that still meets
  // another moves beside its centre, with a thin line to it. Worked out again on zoom and resize.
  var measurer = null;

  function textWidth(text, size) {
    measurer = measurer || document.createElement("canvas").getContext("2d");
    measurer.font = size + "px " + NAME_FONT;
    return measurer.measureText(text).width;
  }

  // Where a name may go, in half its width and half its height from its centre, nearest first.
  var STEPS = (function () {
    var out = [];
    for (var x = -4; x <= 4; x += 1) {
      for (var y = -4; y <= 4; y += 1) {
        out.push([x, y]);
      }
    }
    return out.sort(function (a, b) { return (a[0] * a[0] * 4 + a[1] * a[1]) - (b[0] * b[0] * 4 + b[1] * b[1]); });
  })();

  function meets(a, b) {
    return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
  }

  function inRing(point, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > point[1]) !== (yj > point[1]) && point[0] < (xj - xi) * (point[1] - yi) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  function inShape(point, geometry) {
    if (!geometry || !point) {
      return false;
    }
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.some(function (rings) {
      return inRing(point, rings[0]) && !rings.slice(1).some(function (hole) { return inRing(point, hole); });
    });
  }

  // Names one by one, the least crowded first: each at its centre if free, else at the nearest
  // free place inside its own shape, else at the nearest free place (with a line to its centre).
  function placeNames(chart, points, shapes, names, size, width, height) {
    var h = size + 4;  // the halo on either side
    var boxes = names.map(function (name, i) {
      var w = textWidth(name, size) + 4;
      return points[i] ? [points[i][0] - w / 2, points[i][1] - h / 2, w, h] : null;
    });
    var crowding = boxes.map(function (box) {
      return box ? boxes.filter(function (other) { return other && other !== box && meets(box, other); }).length : 0;
    });
    var order = boxes.map(function (_, i) { return i; }).sort(function (a, b) { return crowding[a] - crowding[b] || a - b; });
    var placed = [];
    var offsets = boxes.map(function () { return null; });
    var moved = 0;
    var outside = boxes.map(function () { return false; });
    order.forEach(function (i) {
      var box = boxes[i];
      if (!box) {
        return;
      }
      var fallback = null;
      for (var k = 0; k < STEPS.length; k += 1) {
        var dx = STEPS[k][0] * box[2] / 2;
        var dy = STEPS[k][1] * h / 2;
        var at = [box[0] + dx, box[1] + dy, box[2], box[3]];
        var fits = at[0] >= 0 && at[1] >= 0 && at[0] + at[2] <= width && at[1] + at[3] <= height &&
          !placed.some(function (other) { return meets(at, other); });
        if (!fits) {
          continue;
        }
        if (k === 0 || inShape(chart.convertFromPixel({ geoIndex: 0 }, [at[0] + at[2] / 2, at[1] + at[3] / 2]), shapes[i])) {
          offsets[i] = [dx, dy];
          break;
        }
        fallback = fallback || [dx, dy];
      }
      if (!offsets[i]) {
        offsets[i] = fallback || [0, 0];
        outside[i] = !!fallback;
      }
      if (offsets[i][0] || offsets[i][1]) {
        moved += 1;
      }
      placed.push([box[0] + offsets[i][0], box[1] + offsets[i][1], box[2], box[3]]);
    });
    return { offsets: offsets, moved: moved, outside: outside };
  }

  function labelNames(chart, node, data) {
    var narrow = isNarrow(node);
    var size = narrow ? 10 : 12;
    var named = data.townships.filter(function (t) { return t.cp; });
    var points = named.map(function (t) {
      var p = chart.convertToPixel({ geoIndex: 0 }, t.cp);
      return p && isFinite(p[0]) && isFinite(p[1]) ? p : null;
    });
    var shapes = named.map(function (t) { return t.geometry; });
    var width = node.clientWidth;
    var height = node.clientHeight;
    var full = named.map(function (t) { return t.name; });
    var short = named.map(function (t) { return t.short || t.name; });
    var kind = "full";
    var layout = placeNames(chart, points, shapes, full, size, width, height);
    if (layout.outside.some(function (o) { return o; })) {
      kind = "short";
      layout = placeNames(chart, points, shapes, short, size, width, height);
    }
    var shown = kind === "full" ? full : short;
    node.setAttribute("data-map-names", kind);
    chart.setOption({
      series: [{
        id: "villages",
        symbolSize: data.villages.length > 150 ? (narrow ? 3.5 : 5) : 8
      }, {
        id: "names",
        // A name moved out of its own shape gets a line to the shape's centre.
        data: named.map(function (t, i) {
          return { name: shown[i], value: t.cp, labelLine: { show: layout.outside[i] } };
        }),
        label: { fontSize: size },
        labelLayout: function (params) {
          var offset = layout.offsets[params.dataIndex] || [0, 0];
          return { dx: offset[0], dy: offset[1], hideOverlap: false };
        }
      }]
    });
  }

  function drawMap(node, data) {
    var labels = data.labels;
    var villages = data.villages;
    var shapes = data.shapes;
    var chart = start(node);
    if (!shapes || !shapes.features.length) {
      chart.setOption({ title: { text: labels.no_villages, left: "center", top: "middle", textStyle: { color: "#5b6472", fontSize: 14 } } });
      return;
    }
    // The township shapes come with the page (GeoJSON): registered here, nothing fetched.
    window.echarts.registerMap("district", shapes);
    var narrow = isNarrow(node);
    var byName = {};
    var features = {};
    shapes.features.forEach(function (f) { features[f.properties.name] = f; });
    data.townships.forEach(function (t) {
      byName[t.name] = t;
      t.cp = features[t.name] ? features[t.name].properties.cp || null : null;
      t.geometry = features[t.name] ? features[t.name].geometry : null;
    });
    var graphic = [];
    if (data.schematic) {
      graphic.push({
        type: "text",
        left: 10,
        top: 8,
        z: 100,
        style: { text: labels.schematic, fontSize: narrow ? 12 : 14, fontWeight: "bold", fill: "#8a5a00", backgroundColor: "#fff4d6", borderColor: "#e0b64a", borderWidth: 1, padding: [4, 8], borderRadius: 4 }
      });
    }
    chart.setOption({
      animation: false,
      graphic: graphic,
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: function (p) {
          if (p.seriesType === "scatter") {
            return p.data[4] + " " + p.data[3] + "\n" + labels.coverage + " " + percent(p.data[2]);
          }
          var t = byName[p.name] || {};
          var lines = [p.name];
          if (t.cases !== null && t.cases !== undefined) {
            lines.push(labels.township_cases + " " + t.cases + " " + labels.cases);
          }
          lines.push(labels.coverage + " " + (t.value === null || t.value === undefined ? labels.no_coverage : percent(t.value)));
          return lines.join("\n");
        }
      },
      geo: {
        map: "district",
        roam: true,
        scaleLimit: { min: 1, max: 6 },
        // The whole district in view, above the colour scale at the bottom.
        layoutCenter: ["50%", "47%"],
        layoutSize: narrow ? "98%" : "88%",
        aspectScale: 0.87,  // cos(30°): a kilometre east as long as a kilometre north
        itemStyle: { areaColor: "#eef1f5", borderColor: "#ffffff", borderWidth: 1.5 },
        emphasis: { itemStyle: { areaColor: "#dbe6f7" }, label: { show: false } },
        label: { show: false },
        select: { disabled: true }
      },
      visualMap: [{
        type: "continuous",
        seriesIndex: 0,
        min: 0,
        max: 1,
        orient: "horizontal",
        left: "center",
        bottom: 8,
        itemHeight: narrow ? 120 : 160,
        text: [labels.high, labels.low],
        calculable: false,
        inRange: { color: SCALE, colorAlpha: 0.45 },
        outOfRange: { color: "#eef1f5" },
        formatter: percent
      }, {
        type: "continuous",
        show: false,
        seriesIndex: 1,
        dimension: 2,
        min: 0,
        max: 1,
        inRange: { color: SCALE }
      }],
      series: [{
        id: "shapes",
        name: labels.coverage,
        type: "map",
        geoIndex: 0,
        data: data.townships.map(function (t) { return { name: t.name, value: t.value === null ? NaN : t.value }; })
      }, {
        // The villages: small dots under the names.
        id: "villages",
        name: labels.coverage,
        type: "scatter",
        coordinateSystem: "geo",
        symbolSize: 5,
        data: villages,
        itemStyle: { borderColor: "#ffffff", borderWidth: 0.5, opacity: 0.9 },
        z: 3
      }, {
        // The townships' names, where each shape's centre is (properties.cp): labelNames.
        id: "names",
        name: "names",
        type: "scatter",
        coordinateSystem: "geo",
        symbolSize: 0,
        silent: true,
        tooltip: { show: false },
        data: [],
        label: {
          show: true,
          formatter: "{b}",
          position: "inside",
          color: "#111827",
          fontFamily: NAME_FONT,
          fontSize: 12,
          textBorderColor: "rgba(255, 255, 255, 0.95)",
          textBorderWidth: 3
        },
        labelLine: { show: false, length2: 0, lineStyle: { color: "#4b5563", width: 1 } },
        z: 5
      }]
    });
    labelNames(chart, node, data);
    var pending = null;
    function again() {
      clearTimeout(pending);
      pending = setTimeout(function () { labelNames(chart, node, data); }, 250);  // after the resize
    }
    chart.on("georoam", again);
    window.addEventListener("resize", again);
  }

  // Wide tables: the hint is shown only while columns are out of view, with a shadow on the
  // side that hides them (classes styled in dashboard.css).
  function watchTables() {
    var wraps = Array.prototype.slice.call(document.querySelectorAll("[data-scroll-wrap]"));
    function update(wrap) {
      var box = wrap.querySelector("[data-scroll]");
      var hidden = box.scrollWidth - box.clientWidth;
      wrap.classList.toggle("more-left", box.scrollLeft > 1);
      wrap.classList.toggle("more-right", hidden - box.scrollLeft > 1);
      var hint = wrap.previousElementSibling;
      if (hint && hint.hasAttribute("data-scroll-hint")) {
        hint.classList.toggle("table-fits", hidden <= 1);
        hint.classList.toggle("table-scrolls", hidden > 1);
      }
    }
    wraps.forEach(function (wrap) {
      wrap.querySelector("[data-scroll]").addEventListener("scroll", function () { update(wrap); }, { passive: true });
      update(wrap);
    });
    window.addEventListener("resize", function () { wraps.forEach(update); });
    // A table inside a closed <details> (每日办件量明细) is measured when it opens.
    document.addEventListener("toggle", function () { wraps.forEach(update); }, true);
  }

  function draw() {
    watchTables();
    var data = readData();
    if (!data || !window.echarts) {
      return;
    }
    var trend = document.getElementById("trend-chart");
    var map = document.getElementById("coverage-map");
    if (trend) {
      drawTrend(trend, data);
    }
    if (map) {
      drawMap(map, data);
    }
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 150);
    });
    document.documentElement.setAttribute("data-charts", "drawn");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
