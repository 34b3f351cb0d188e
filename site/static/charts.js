// Draws every chart of the page from its JSON option (see site/chart.go).
// The pages carry no inline script: the option is data in
// <script type="application/json" data-chart="ID">, never code.
(function () {
  "use strict";
  // Dark pages get echarts' built-in dark theme (on a transparent
  // background, so the page's own colour shows), and a page whose
  // scheme changes while open redraws its charts in the other theme.
  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var drawn = []; // {el, option}

  // Paper is light whatever the screen's scheme: beforeprint and the print
  // media query (which emulated print media changes too) redraw light.
  var printing = false;
  var print = window.matchMedia ? window.matchMedia("print") : null;

  // An object of an option may carry "dark": fields that replace its own
  // on a dark page, merged deeply (the map's grey squares, whose colours
  // are their own and not the theme's). themed copies the option for the
  // scheme drawn, without the "dark" keys; the original stays for a redraw.
  function themed(v, isDark) {
    if (Array.isArray(v)) return v.map(function (x) { return themed(x, isDark); });
    if (!v || typeof v !== "object") return v;
    var out = {};
    Object.keys(v).forEach(function (k) { if (k !== "dark") out[k] = themed(v[k], isDark); });
    if (isDark && v.dark && typeof v.dark === "object") merge(out, themed(v.dark, isDark));
    return out;
  }
  function merge(into, from) {
    Object.keys(from).forEach(function (k) {
      var a = into[k], b = from[k];
      var objects = a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b);
      if (objects) merge(a, b);
      else into[k] = b;
    });
  }

  function init(el, option) {
    var old = echarts.getInstanceByDom(el);
    if (old) old.dispose();
    var isDark = !!(dark && dark.matches) && !printing && !(print && print.matches);
    var chart = echarts.init(el, isDark ? "dark" : null, { renderer: "canvas" });
    chart.setOption(themed(option, isDark));
    if (isDark) chart.setOption({ backgroundColor: "transparent" });
    // A data item with a url (the ranking map's squares) opens it; only
    // a path on this site, never another host ("//x", "/\\x").
    chart.on("click", function (p) {
      var u = p && p.data && p.data.url;
      if (typeof u === "string" && /^\/(?![\/\\])/.test(u)) window.location.assign(u);
    });
    return chart;
  }

  // fit resizes every chart, once per frame however many size changes
  // arrive. Never compare the box's clientWidth first: a box in a grid or
  // flex track can be held at the canvas's width by the canvas itself;
  // echarts measures with its own layer hidden.
  var pending = false;
  function fit() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      drawn.forEach(function (d) {
        var chart = echarts.getInstanceByDom(d.el);
        if (chart) chart.resize();
      });
    });
  }

  function draw() {
    if (!window.echarts) return;
    var nodes = document.querySelectorAll('script[type="application/json"][data-chart]');
    // The window's resize event alone misses every size change of a
    // chart's box that is not the window's: a scroll bar appearing, a grid
    // or <details> reflowing, print layout. The canvas then kept its first
    // width; a ResizeObserver on each box sees them all.
    var ro = window.ResizeObserver ? new ResizeObserver(fit) : null;
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
      init(el, option);
      drawn.push({ el: el, option: option });
      if (ro) ro.observe(el);
    });
    window.addEventListener("resize", fit);
    window.addEventListener("orientationchange", fit);
    var redraw = function () { drawn.forEach(function (d) { init(d.el, d.option); }); };
    window.addEventListener("beforeprint", function () { printing = true; redraw(); });
    window.addEventListener("afterprint", function () { printing = false; redraw(); });
    if (dark && dark.addEventListener) dark.addEventListener("change", redraw);
    if (print && print.addEventListener) print.addEventListener("change", redraw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
