/* 数据看板: draws the trend and the coverage map with ECharts from the JSON the page embeds
   (#dashboard-data). No inline script or style (the portal's CSP), and no Chinese here: the
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

  function drawMap(node, data) {
    var labels = data.labels;
    var villages = data.villages;
    var chart = start(node);
    if (!villages.length) {
      chart.setOption({ title: { text: labels.no_villages, left: "center", top: "middle", textStyle: { color: "#5b6472", fontSize: 14 } } });
      return;
    }
    var named = villages.length <= 40;
    chart.setOption({
      animation: false,
      // Room on the right for the names of the easternmost villages.
      grid: { left: 12, right: named ? 64 : 12, top: 16, bottom: 64, containLabel: false },
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: function (p) {
          return p.data[4] + " " + p.data[3] + "\n" + labels.coverage + " " + percent(p.data[2]);
        }
      },
      // Longitude and latitude as plain axes: no map tiles, no GeoJSON, nothing from outside.
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      visualMap: {
        type: "continuous",
        min: 0,
        max: 1,
        dimension: 2,
        orient: "horizontal",
        left: "center",
        bottom: 8,
        itemHeight: 160,
        text: [labels.high, labels.low],
        calculable: false,
        inRange: { color: ["#c62828", "#f5b700", "#16a34a"] },
        formatter: percent
      },
      series: [{
        name: labels.coverage,
        type: "scatter",
        symbolSize: villages.length > 150 ? 8 : 14,
        data: villages,
        // Few villages (one township): name each; the whole district would be a blur of names.
        label: {
          show: named,
          position: "right",
          color: "#374151",
          fontSize: 11,
          formatter: function (p) { return p.data[3]; }
        },
        labelLayout: { hideOverlap: true },
        itemStyle: { borderColor: "#ffffff", borderWidth: 1 }
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
