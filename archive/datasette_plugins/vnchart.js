// Publications per month (or per day) as an inline SVG bar chart, drawn above a Datasette table
// or query. No library and no network beyond this Datasette: the counts come from the page's own
// JSON (the published_month facet of the rows shown, or a query's month/articles or day/articles
// columns), so the chart follows every filter and search on the page. Data reaches the DOM only
// as text and attributes, never as HTML.
(function (config) {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var MONTH = /^(\d{4})-(\d{2})$/;
  var DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
  var byDay = config.unit === "day";

  function jsonUrl(extra) {
    var params = new URLSearchParams(location.search);
    params.delete("_next");
    Object.keys(extra).forEach(function (k) { params.set(k, extra[k]); });
    return location.pathname.replace(/\/$/, "") + ".json?" + params.toString();
  }

  // This page filtered to one month: where a click on that month's bar leads.
  function pageUrl(month) {
    var params = new URLSearchParams(location.search);
    params.delete("_next");
    params.set(config.column, month);
    return location.pathname + "?" + params.toString();
  }

  // A plain search (the results template marks it: #vn-search data-plain="1"): the months of
  // every match come from the FTS index alone through the mentions_per_month query, where a
  // facet would look up every matching article.
  function searchMonthsUrl() {
    var marker = document.getElementById("vn-search");
    var params = new URLSearchParams(location.search);
    if (!marker || marker.getAttribute("data-plain") !== "1" || params.get("_searchmode") === "raw") {
      return null;
    }
    var query = new URLSearchParams({ q: marker.getAttribute("data-query"), category: "", _shape: "objects" });
    return location.pathname.replace(/\/[^\/]+\/?$/, "") + "/mentions_per_month.json?" + query.toString();
  }

  // A canned query whose parameters are all empty has run on nothing: no chart to draw.
  function emptyForm() {
    var fields = document.querySelectorAll("form.sql input[type=text]");
    return fields.length > 0 && Array.prototype.every.call(fields, function (f) { return !f.value.trim(); });
  }

  // A step of 1, 2 or 5 times a power of ten giving about four gridlines up to max.
  function niceStep(max) {
    var raw = max / 4, power = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    var steps = [1, 2, 5, 10].map(function (m) { return m * power; });
    for (var i = 0; i < steps.length; i++) { if (steps[i] >= raw) { return Math.max(1, steps[i]); } }
    return Math.max(1, steps[steps.length - 1]);
  }

  function load() {
    var monthsUrl = config.mode === "table" ? searchMonthsUrl() : null;
    if (monthsUrl) {
      return fetch(monthsUrl)
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (!data.rows) { throw new Error(data.error || "no data"); }
          return data.rows.map(function (row) { return { month: row.month, count: row.articles, href: pageUrl(row.month) }; });
        });
    }
    if (config.mode === "table") {
      return fetch(jsonUrl({ _facet: config.column, _facet_size: "max", _size: "0", _nocount: "1" }))
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var facet = (data.facet_results || {})[config.column];
          if (!facet) { throw new Error((data.facets_timed_out || []).length ? "timed out" : "no data"); }
          return facet.results.map(function (f) { return { month: f.value, count: f.count, href: pageUrl(f.value) }; });
        });
    }
    return fetch(jsonUrl({ _shape: "objects" }))
      .then(function (r) { return r.json(); })
      .then(function (data) {
        return (data.rows || []).map(function (row) {
          return { month: byDay ? row.day : row.month, count: row.articles };
        });
      });
  }

  // Every day from the first to the last (UTC arithmetic on the dates as printed), zeros included.
  function fillDays(points) {
    var byKey = {};
    points.forEach(function (p) { if (DAY.test(p.month || "")) { byKey[p.month] = p; } });
    var days = Object.keys(byKey).sort();
    if (!days.length) { return []; }
    var out = [];
    var m = DAY.exec(days[0]);
    var t = Date.UTC(+m[1], +m[2] - 1, +m[3]);
    for (var guard = 0; guard < 3660; guard++) {
      var key = new Date(t).toISOString().slice(0, 10);
      out.push(byKey[key] || { month: key, count: 0 });
      if (key >= days[days.length - 1]) { break; }
      t += 86400000;
    }
    return out;
  }

  // Every month from the first to the last, zeros included: gaps in publication are data too.
  function fill(points) {
    if (byDay) { return fillDays(points); }
    var byMonth = {};
    points.forEach(function (p) { if (MONTH.test(p.month || "")) { byMonth[p.month] = p; } });
    var months = Object.keys(byMonth).sort();
    if (!months.length) { return []; }
    var out = [];
    var m = MONTH.exec(months[0]), y = +m[1], mo = +m[2];
    var last = months[months.length - 1];
    for (var guard = 0; guard < 2400; guard++) {
      var key = y + "-" + (mo < 10 ? "0" : "") + mo;
      out.push(byMonth[key] || { month: key, count: 0 });
      if (key >= last) { break; }
      mo += 1;
      if (mo > 12) { mo = 1; y += 1; }
    }
    return out;
  }

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function draw(section, points) {
    var total = points.reduce(function (s, p) { return s + p.count; }, 0);
    var caption = section.querySelector("p");
    if (!points.length) { caption.textContent = "No dated articles to chart."; return; }
    caption.textContent = "Articles per " + (byDay ? "day" : "month") + ": " + total.toLocaleString() + " articles, " +
      points[0].month + " to " + points[points.length - 1].month +
      (config.mode === "table" ? " (the rows selected above; click a bar to filter by month)" : "");
    var W = 1000, H = 220, left = 44, bottom = 26, top = 10;
    var max = Math.max.apply(null, points.map(function (p) { return p.count; })) || 1;
    var step = (W - left - 4) / points.length;
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", role: "img",
      "aria-label": caption.textContent, "class": "vn-chart-svg", "data-total": total });
    var stepY = niceStep(max);
    max = Math.max(max, Math.ceil(max / stepY) * stepY);
    for (var tick = 0; tick <= max; tick += stepY) {
      var ty = H - bottom - (H - bottom - top) * tick / max;
      svg.appendChild(el("line", { x1: left, y1: ty, x2: W, y2: ty, stroke: tick ? "#ddd" : "#666", "class": "vn-grid" }));
      svg.appendChild(el("text", { x: left - 6, y: ty + 4, "text-anchor": "end", "font-size": 12, "class": "vn-y-label" }, String(tick)));
    }
    // a label every `every` bars, as many as fit without overlapping
    var every = Math.max(1, Math.ceil(points.length / Math.floor((W - left) / (byDay ? 84 : 64))));
    points.forEach(function (p, i) {
      var h = (H - bottom - top) * p.count / max;
      var x = left + i * step;
      var bar = el("rect", { x: x + step * 0.1, y: H - bottom - h, width: Math.max(step * 0.8, 1), height: h,
        fill: "#2b6cb0", "class": "vn-bar", "data-month": p.month, "data-count": p.count });
      bar.appendChild(el("title", {}, p.month + ": " + p.count));
      if (p.href) {
        var link = el("a", { href: p.href });
        link.appendChild(bar);
        svg.appendChild(link);
      } else {
        svg.appendChild(bar);
      }
      if (i % every === 0) {
        svg.appendChild(el("text", { x: x + step / 2, y: H - 8, "font-size": 12, "text-anchor": "middle",
          "class": "vn-x-label" }, p.month));
      }
    });
    section.appendChild(svg);
  }

  if (config.mode === "query" && emptyForm()) { return; }
  var section = document.createElement("section");
  section.id = "vn-chart";
  section.style.margin = "1em 0";
  var caption = document.createElement("p");
  caption.textContent = "Loading the chart…";
  section.appendChild(caption);
  var anchor = document.querySelector(".facet-results, .vn-results, .table-wrapper, p.zero-results");
  var parent = anchor ? anchor.parentNode : document.querySelector("section.content");
  parent.insertBefore(section, anchor || null);
  load().then(function (points) { draw(section, fill(points)); })
    .catch(function (err) { caption.textContent = "Chart unavailable: " + err.message; });
})
