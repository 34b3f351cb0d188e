// The query page (/datasets/query): DuckDB-WASM in a worker of our own
// origin runs the reader's SQL over the release's Parquet, read by URL
// with range requests. duckdb.js (the npm package bundled by esbuild, see
// the Makefile) defines the global `duckdb`. Results are written with
// textContent only: a value from the data never becomes markup.
(function () {
  "use strict";
  var maxShown = 1000;

  function start() {
    var app = document.getElementById("q-app");
    if (!app || typeof duckdb === "undefined") return;
    var d = app.dataset;
    var form = document.getElementById("q-form");
    var text = document.getElementById("q-sql");
    var run = document.getElementById("q-run");
    var status = document.getElementById("q-status");
    var out = document.getElementById("q-result");
    var csv = document.getElementById("q-csv");
    var conn = null;

    function state(s, msg) {
      app.dataset.state = s;
      status.textContent = msg;
    }

    document.querySelectorAll(".qy-example").forEach(function (b) {
      b.addEventListener("click", function () {
        text.value = b.dataset.sql;
        text.focus();
      });
    });

    // The views name the origin the server saw; behind a proxy the page's
    // own is the one the browser can reach.
    var views = document.getElementById("q-views").textContent;
    if (d.origin && d.origin !== location.origin) views = views.split(d.origin + "/").join(location.origin + "/");
    // A view is made when a query first names its table: DuckDB asks the
    // server about every file of a view when it is made, so making all of
    // them at start would cost a request per file of every table (about
    // 130 at the 200,000-message demo) before the first result. A query
    // that reads the catalogue (SHOW TABLES, information_schema, …) makes
    // them all.
    var pending = {};
    views.split("\n").forEach(function (line) {
      var m = /^CREATE OR REPLACE VIEW ([a-z_][a-z0-9_]*) AS /.exec(line);
      if (m) pending[m[1]] = line;
    });
    var catalogue = /\b(show|describe|summarize|information_schema|pragma|duckdb_\w+)\b/i;

    async function makeViews(sql) {
      // Names in comments and strings do not count (the overdue example's
      // comment says "messages").
      sql = sql.replace(/'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g, " ");
      var all = catalogue.test(sql);
      for (var name of Object.keys(pending)) {
        if (all || new RegExp("\\b" + name + "\\b", "i").test(sql)) {
          await conn.query(pending[name]);
          delete pending[name];
        }
      }
    }

    async function open() {
      state("loading", d.loading);
      var worker = new Worker(d.worker);
      var db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
      await db.instantiate(new URL(d.wasm, location.href).href);
      var c = await db.connect();
      // Nothing is fetched from elsewhere: no extension is installed or
      // loaded behind the reader's back (the policy would refuse it anyway).
      await c.query("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;");
      return c;
    }

    async function execute() {
      run.disabled = true;
      state("running", d.running);
      var started = performance.now();
      try {
        await makeViews(text.value);
        var table = await conn.query(text.value);
        show(table);
        var n = table.numRows;
        var msg = d.rows.replace("%d", n).replace("%s", ((performance.now() - started) / 1000).toFixed(2));
        if (n > maxShown) msg += d.shown.replace("%d", maxShown);
        // since navigation started (performance.now is relative to it)
        if (!app.dataset.firstResultMs) app.dataset.firstResultMs = String(Math.round(performance.now()));
        state("done", msg);
      } catch (e) {
        out.textContent = "";
        csv.hidden = true;
        state("error", d.error + (e && e.message ? e.message : String(e)));
      }
      run.disabled = false;
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (conn) execute();
    });

    open().then(function (c) {
      conn = c;
      run.disabled = false;
      state("ready", d.ready);
      if (text.value.trim()) execute();
    }).catch(function (e) {
      state("error", d.error + (e && e.message ? e.message : String(e)));
    });

    function show(table) {
      var fields = table.schema.fields;
      var rows = table.toArray();
      var t = document.createElement("table");
      t.className = "rank q-table";
      var head = t.createTHead().insertRow();
      fields.forEach(function (f) {
        var th = document.createElement("th");
        th.scope = "col";
        th.textContent = f.name;
        head.appendChild(th);
      });
      var body = t.createTBody();
      var lines = [fields.map(function (f) { return csvField(f.name); }).join(",")];
      rows.forEach(function (row, i) {
        var cells = fields.map(function (f) { return format(row[f.name], f.type); });
        lines.push(cells.map(csvField).join(","));
        if (i >= maxShown) return;
        var tr = body.insertRow();
        cells.forEach(function (v) {
          var td = tr.insertCell();
          td.textContent = v;
        });
      });
      out.textContent = "";
      out.appendChild(t);
      if (csv.href.indexOf("blob:") === 0) URL.revokeObjectURL(csv.href);
      csv.href = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv;charset=utf-8" }));
      csv.hidden = false;
    }
  }

  // format is a value as text: times in ISO 8601 (UTC), integers whole.
  function format(v, type) {
    if (v === null || v === undefined) return "";
    var kind = String(type);
    if (kind.indexOf("Timestamp") === 0 && typeof v === "number") return new Date(v).toISOString();
    if (kind.indexOf("Date") === 0 && typeof v === "number") return new Date(v).toISOString().slice(0, 10);
    if (typeof v === "object" && typeof v.toJSON === "function") return JSON.stringify(v.toJSON());
    return String(v);
  }

  // csvField quotes a field as RFC 4180 does when it must.
  function csvField(s) {
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
