// Draws every chart of the page from its JSON option (see site/chart.go).
// The pages carry no inline script: the option is data in
// <script type="application/json" data-chart="ID">, never code.
(function () {
  "use strict";
  function draw() {
    if (!window.echarts) return;
    var nodes = document.querySelectorAll('script[type="application/json"][data-chart]');
    Array.prototype.forEach.call(nodes, function (node) {
      var el = document.getElementById(node.getAttribute("data-chart"));
      if (!el || echarts.getInstanceByDom(el)) return;
      var option;
      try {
        option = JSON.parse(node.textContent);
      } catch (e) {
        return; // the table beside the chart has the data
      }
      var h = parseInt(el.getAttribute("data-height"), 10);
      if (h > 0) el.style.height = h + "px";
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      // A data item with a url (the ranking map's squares) opens it; only
      // a path on this site, never another host ("//x", "/\\x").
      chart.on("click", function (p) {
        var u = p && p.data && p.data.url;
        if (typeof u === "string" && /^\/(?![\/\\])/.test(u)) window.location.assign(u);
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
