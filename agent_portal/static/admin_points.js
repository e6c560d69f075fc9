/* 办事点 form: the map picker. Draws the district's townships (named) and villages from the JSON
   the page embeds (#points-map-data) with ECharts on a plain longitude/latitude "map" whose only
   region is the district's bounding rectangle: no tiles, no GeoJSON, nothing from outside.
   The map zooms (wheel, pinch, the 放大/缩小 buttons) and pans (drag) within scale limits; choosing
   a township or village centres and zooms on it. Township labels that would overlap are hidden;
   village names appear only once zoomed in. A click on the map fills the longitude and latitude
   fields; typing in them moves the marker. No inline script or style (CSP); no Chinese here. */
(function () {
  "use strict";

  var BLUE = "#1554ad";
  var RED = "#c62828";
  var MAP = "jjb-district";
  var ZOOM_MIN = 1;
  var ZOOM_MAX = 24;
  var ZOOM_TOWNSHIP = 4;
  var ZOOM_VILLAGE = 9;
  var VILLAGE_LABELS_FROM = 3.5; // village names only once zoomed in this far
  var ASPECT = 0.866; // cos(30 deg): a degree of longitude is shorter than one of latitude here

  function readData() {
    var node = document.getElementById("points-map-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function number(input) {
    var value = parseFloat(input.value);
    return isFinite(value) ? value : null;
  }

  function name(p) {
    return p.data[2];
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
    var whole = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
    window.echarts.registerMap(MAP, {
      type: "FeatureCollection",
      features: [{
        type: "Feature",
        properties: { name: "district" },
        geometry: { type: "Polygon", coordinates: [[[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]], [b[0], b[1]]]] }
      }]
    });
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    var zoom = 1;

    function picked() {
      var x = number(lng);
      var y = number(lat);
      return x === null || y === null ? [] : [[x, y, labels.picked]];
    }

    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: function (p) { return p.data[2] + "\n" + p.data[0].toFixed(4) + ", " + p.data[1].toFixed(4); }
      },
      geo: {
        map: MAP,
        roam: true,
        scaleLimit: { min: ZOOM_MIN, max: ZOOM_MAX },
        aspectScale: ASPECT,
        left: 8, right: 8, top: 8, bottom: 8,
        center: whole,
        zoom: 1,
        silent: true,
        label: { show: false },
        itemStyle: { areaColor: "#f7f9fc", borderColor: "#f7f9fc", borderWidth: 0 },
        emphasis: { disabled: true },
        select: { disabled: true },
        tooltip: { show: false }
      },
      series: [
        {
          id: "villages",
          name: labels.village,
          type: "scatter",
          coordinateSystem: "geo",
          symbolSize: 4,
          silent: true,
          itemStyle: { color: "#9aa4b2" },
          label: { show: false, position: "right", fontSize: 10, color: "#6b7280", formatter: name },
          labelLayout: { hideOverlap: true },
          data: data.villages
        },
        {
          id: "townships",
          name: labels.township,
          type: "scatter",
          coordinateSystem: "geo",
          symbolSize: 9,
          itemStyle: { color: BLUE, borderColor: "#ffffff", borderWidth: 1 },
          label: {
            show: true, position: "right", distance: 3, fontSize: 11, color: "#1f2329",
            backgroundColor: "rgba(255,255,255,0.8)", padding: [1, 2], formatter: name
          },
          labelLayout: { hideOverlap: true },
          z: 3,
          data: data.townships
        },
        {
          id: "picked",
          name: labels.picked,
          type: "scatter",
          coordinateSystem: "geo",
          symbol: "pin",
          symbolSize: 30,
          symbolOffset: [0, "-50%"],
          itemStyle: { color: RED },
          z: 10,
          data: picked()
        }
      ]
    });

    function villageLabels() {
      chart.setOption({ series: [{ id: "villages", label: { show: zoom >= VILLAGE_LABELS_FROM } }] });
      node.setAttribute("data-zoom", zoom.toFixed(2));
    }

    function focus(center, level) {
      zoom = Math.max(ZOOM_MIN, Math.min(ZOOM_MAX, level));
      chart.setOption({ geo: { center: center, zoom: zoom } });
      villageLabels();
    }

    function refresh() {
      chart.setOption({ series: [{ id: "picked", data: picked() }] });
    }

    function roamed() {
      var geo = chart.getOption().geo[0];
      zoom = geo.zoom || 1;
      villageLabels();
    }
    chart.on("georoam", roamed);

    chart.getZr().on("click", function (event) {
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel({ geoIndex: 0 }, point)) {
        return;
      }
      var value = chart.convertFromPixel({ geoIndex: 0 }, point);
      lng.value = value[0].toFixed(6);
      lat.value = value[1].toFixed(6);
      refresh();
    });
    lng.addEventListener("input", refresh);
    lat.addEventListener("input", refresh);

    var area = document.getElementById("f-area_code");
    function chosen() {
      var option = area ? area.options[area.selectedIndex] : null;
      if (!option || !option.getAttribute("data-lat")) {
        return null;
      }
      var village = option.getAttribute("data-level") === "village";
      return {
        center: [parseFloat(option.getAttribute("data-lng")), parseFloat(option.getAttribute("data-lat"))],
        zoom: village ? ZOOM_VILLAGE : ZOOM_TOWNSHIP
      };
    }
    if (area) {
      area.addEventListener("change", function () {
        var where = chosen();
        if (!where) {
          return;
        }
        if (lng.value === "" && lat.value === "") {
          lng.value = String(where.center[0]);
          lat.value = String(where.center[1]);
          refresh();
        }
        focus(where.center, where.zoom);
      });
    }

    function control(id, action) {
      var button = document.getElementById(id);
      if (button) {
        button.addEventListener("click", action);
        button.hidden = false;
      }
    }
    control("map-zoom-in", function () { roamed(); focus(chart.getOption().geo[0].center, zoom * 2); });
    control("map-zoom-out", function () { roamed(); focus(chart.getOption().geo[0].center, zoom / 2); });
    control("map-whole", function () { focus(whole, 1); });

    var start = chosen();
    if (start) {
      focus(start.center, start.zoom);
    } else {
      villageLabels();
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
