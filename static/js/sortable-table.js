// Sortable tables, as progressive enhancement: without this script the table stays in its
// server order (the ranking). Markup:
//   <table data-sortable> … <th data-sort-key="final" data-sort-type="number|text"> …
//   <td data-sort-key="final" data-sort-value="85.50"> (a plain number, "." decimal point)
// Header cells become buttons; a second click reverses the order. Text compares in
// Vietnamese alphabetical order (localeCompare "vi"), numbers numerically. CSP: no inline code.
(function () {
  "use strict";

  // The same ordering as a.localeCompare(b, "vi"), built once instead of per comparison.
  const collator = new Intl.Collator("vi", { sensitivity: "base", numeric: true });

  function cellValue(row, key) {
    const cell = row.querySelector('[data-sort-key="' + key + '"]');
    if (!cell) { return ""; }
    return cell.dataset.sortValue !== undefined ? cell.dataset.sortValue : cell.textContent.trim();
  }

  function compare(type, a, b) {
    if (type === "number") {
      const x = parseFloat(a);
      const y = parseFloat(b);
      return (Number.isNaN(x) ? -Infinity : x) - (Number.isNaN(y) ? -Infinity : y);
    }
    return collator.compare(a, b);
  }

  function sortBy(table, header) {
    const key = header.dataset.sortKey;
    const type = header.dataset.sortType || "text";
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[data-sort-key]").forEach((th) => th.removeAttribute("aria-sort"));
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    Array.from(table.tBodies).forEach((body) => {
      const rows = Array.from(body.rows).map((row, index) => ({ row, index, value: cellValue(row, key) }));
      rows.sort((p, q) => {
        const order = compare(type, p.value, q.value);
        return (ascending ? order : -order) || p.index - q.index;  // stable for equal values
      });
      rows.forEach((item) => body.appendChild(item.row));
    });
  }

  function enhance(table) {
    table.querySelectorAll("thead th[data-sort-key]").forEach((header) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-link btn-sm p-0 fw-semibold text-reset text-decoration-none sort-button";
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", () => sortBy(table, header));
    });
  }

  function start() { document.querySelectorAll("table[data-sortable]").forEach(enhance); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
