/* 办事点 form: the map picker. Draws the district's townships (named) and villages from the JSON
   the page embeds (#points-map-data) with ECharts on plain longitude/latitude axes: no tiles, no
   GeoJSON, nothing from outside. A click on the map fills the longitude and latitude fields;
   typing in them moves the marker. No inline script or style (CSP); no Chinese here. */
(function () {
  "use strict";

  var BLUE = "#1554ad";
  var RED = "#c62828";

  function readData() {
    var node = document.getElementById("points-map-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function number(input) {
    var value = parseFloat(input.value);
    return isFinite(value) ? value : null;
  }

  function draw() {
    var data = readData();
    var node = document.getElementById("point-map");
    var lng = document.getElementById("f-lng");
    var lat = document.getElementById("f-lat");
    if (!data || !node || !lng || !lat || !window.echarts || !data.bounds) {
      return;
    }
    var labels = data.labels;
    var b = data.bounds;
    var chart = window.echarts.init(node, null, { renderer: "canvas" });

    function picked() {
      var x = number(lng);
      var y = number(lat);
      return x === null || y === null ? [] : [[x, y, labels.picked]];
    }

    chart.setOption({
      animation: false,
      grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: false },
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: function (p) { return p.data[2] + "\n" + p.data[0].toFixed(4) + ", " + p.data[1].toFixed(4); }
      },
      xAxis: { type: "value", min: b[0], max: b[2], show: false },
      yAxis: { type: "value", min: b[1], max: b[3], show: false },
      series: [
        {
          name: labels.village,
          type: "scatter",
          symbolSize: 4,
          silent: true,
          itemStyle: { color: "#9aa4b2" },
          data: data.villages
        },
        {
          name: labels.township,
          type: "scatter",
          symbolSize: 9,
          itemStyle: { color: BLUE, borderColor: "#ffffff", borderWidth: 1 },
          label: { show: true, position: "right", fontSize: 11, color: "#374151", formatter: function (p) { return p.data[2]; } },
          labelLayout: { hideOverlap: true },
          data: data.townships
        },
        {
          name: labels.picked,
          type: "scatter",
          symbol: "pin",
          symbolSize: 30,
          symbolOffset: [0, "-50%"],
          itemStyle: { color: RED },
          z: 10,
          data: picked()
        }
      ]
    });

    function refresh() {
      chart.setOption({ series: [{}, {}, { data: picked() }] });
    }

    chart.getZr().on("click", function (event) {
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel({ gridIndex: 0 }, point)) {
        return;
      }
      var value = chart.convertFromPixel({ gridIndex: 0 }, point);
      lng.value = value[0].toFixed(6);
      lat.value = value[1].toFixed(6);
      refresh();
    });
    lng.addEventListener("input", refresh);
    lat.addEventListener("input", refresh);

    var area = document.getElementById("f-area_code");
    if (area) {
      area.addEventListener("change", function () {
        var option = area.options[area.selectedIndex];
        if (option && option.getAttribute("data-lat") && lng.value === "" && lat.value === "") {
          lat.value = option.getAttribute("data-lat");
          lng.value = option.getAttribute("data-lng");
          refresh();
        }
      });
    }

    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { chart.resize(); }, 150);
    });
    node.setAttribute("data-map", "drawn");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
