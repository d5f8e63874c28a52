/* immunoref catalogue: sortable tables, and filter + instant search on the agents table.
   Plain JavaScript, no dependencies, no requests: the agents index is inlined in the page,
   so everything works when the site is opened from file://. Without JavaScript the tables
   are complete and unsorted; the filters stay hidden. */
(function () {
  "use strict";

  function sortValue(row, index, type) {
    var cell = row.cells[index];
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim().toLowerCase();
    if (raw === "") return null;
    if (type === "number") {
      var number = parseFloat(raw);
      return isNaN(number) ? null : number;
    }
    return raw;
  }

  function makeSortable(table) {
    var headers = table.tHead.rows[0].cells;
    var body = table.tBodies[0];
    Array.prototype.forEach.call(body.rows, function (row, position) {
      row.setAttribute("data-order", String(position));
    });
    Array.prototype.forEach.call(headers, function (header, index) {
      var button = header.querySelector("button.sort");
      if (!button) return;
      button.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var type = header.getAttribute("data-type") || "text";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortValue(a, index, type);
          var y = sortValue(b, index, type);
          var order = Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
          if (x === null && y === null) return order;
          if (x === null) return 1; /* empty cells last, whichever the direction */
          if (y === null) return -1;
          var result = type === "number" ? x - y : (x < y ? -1 : x > y ? 1 : 0);
          return (ascending ? result : -result) || order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function compact(text) {
    return fold(text).replace(/[^a-z0-9\u0370-\u03ff]+/g, "");
  }

  function matchesQuery(entry, query) {
    if (!query) return true;
    var folded = fold(query).trim();
    var squeezed = compact(query);
    var names = [entry.name, entry.id].concat(entry.brands, entry.synonyms);
    return names.some(function (name) {
      return fold(name).indexOf(folded) !== -1 || (squeezed !== "" && compact(name).indexOf(squeezed) !== -1);
    });
  }

  function setupAgentFilters() {
    var data = document.getElementById("agents-index");
    var form = document.getElementById("agent-filters");
    var table = document.getElementById("agents-table");
    if (!data || !form || !table) return;
    var index = {};
    JSON.parse(data.textContent).forEach(function (entry) { index[entry.id] = entry; });
    var count = document.getElementById("agents-count");
    var none = document.getElementById("agents-none");
    var fields = ["q", "class", "target", "disease", "agency", "status"];
    var lists = { target: "targets", disease: "diseases", agency: "agencies" };
    var total = table.tBodies[0].rows.length;

    function state() {
      var values = {};
      fields.forEach(function (name) { values[name] = form.elements[name].value; });
      return values;
    }

    function apply() {
      var values = state();
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var entry = index[row.getAttribute("data-id")];
        var ok = !!entry && matchesQuery(entry, values.q);
        if (ok && values["class"]) ok = entry["class"] === values["class"];
        if (ok && values.status) ok = entry.status === values.status;
        ["target", "disease", "agency"].forEach(function (name) {
          if (ok && values[name]) ok = entry[lists[name]].indexOf(values[name]) !== -1;
        });
        if (ok && values.disease && values.agency) {
          ok = entry.approvals.indexOf(values.disease + "|" + values.agency) !== -1;
        }
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown === total ? total + " agents" : shown + " of " + total + " agents";
      none.hidden = shown !== 0;
      var params = new URLSearchParams();
      fields.forEach(function (name) { if (values[name]) params.set(name, values[name]); });
      var hash = params.toString();
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", hash ? "#" + hash : window.location.pathname + window.location.search);
      }
    }

    function fromHash() {
      var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
      fields.forEach(function (name) {
        var value = params.get(name) || "";
        var control = form.elements[name];
        if (control.tagName === "SELECT" && !control.querySelector('option[value="' + CSS.escape(value) + '"]')) value = "";
        control.value = value;
      });
    }

    form.hidden = false;
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    window.addEventListener("hashchange", function () { fromHash(); apply(); });
    fromHash();
    apply();
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
  setupAgentFilters();
})();
