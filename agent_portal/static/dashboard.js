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
    var narrow = node.clientWidth < 560;
    var byName = {};
    data.townships.forEach(function (t) { byName[t.name] = t; });
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
        emphasis: { itemStyle: { areaColor: "#dbe6f7" }, label: { show: true } },
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
        name: labels.coverage,
        type: "map",
        geoIndex: 0,
        data: data.townships.map(function (t) { return { name: t.name, value: t.value === null ? NaN : t.value }; })
      }, {
        name: labels.coverage,
        type: "scatter",
        coordinateSystem: "geo",
        symbolSize: villages.length > 150 ? (narrow ? 4 : 6) : 9,
        data: villages,
        itemStyle: { borderColor: "#ffffff", borderWidth: 0.5 },
        z: 3
      }, {
        // The townships' names, where each shape's centre is (properties.cp).
        name: "names",
        type: "scatter",
        coordinateSystem: "geo",
        symbolSize: 0,
        silent: true,
        tooltip: { show: false },
        data: shapes.features.map(function (f) {
          var cp = f.properties.cp || null;
          return cp ? { name: f.properties.name, value: cp } : null;
        }).filter(function (d) { return d; }),
        label: {
          show: true,
          formatter: "{b}",
          position: "inside",
          color: "#1f2937",
          fontSize: narrow ? 9 : 12,
          textBorderColor: "#ffffff",
          textBorderWidth: 2
        },
        labelLayout: { hideOverlap: true },
        z: 5
      }]
    });
  }

  function draw() {
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
