// Khối Portal behaviour that needs no inline script (CSP forbids it).
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive actions: <form data-confirm="…">. A form sent through HTMX asks in
  // htmx:confirm below instead (HTMX sends it before the submit event reaches the body).
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !event.target.hasAttribute("hx-post") && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // <select data-navigate>: go to the chosen option's URL (the year switcher).
  document.querySelectorAll("select[data-navigate]").forEach((select) => {
    select.addEventListener("change", () => { window.location.href = select.value; });
  });
});
// <form data-confirm="…" hx-post="…">: ask before HTMX sends it.
document.addEventListener("htmx:confirm", (event) => {
  const message = event.detail.elt.dataset && event.detail.elt.dataset.confirm;
  if (message) {
    event.preventDefault();
    if (window.confirm(message)) {
      event.detail.issueRequest(true);
    }
  }
});
// An HTMX form whose answer is an error page (403, 404, 500) or that got no answer: HTMX
// swaps nothing, so say so above the form instead of leaving the click unanswered. The text
// is the page's own (<body data-htmx-error>, translated with the rest).
const htmxFailed = (event) => {
  const form = event.detail.elt && event.detail.elt.closest("form");
  const text = document.body.dataset.htmxError;
  if (!form || !text) {
    return;
  }
  let alert = form.previousElementSibling;
  if (!alert || !alert.hasAttribute("data-htmx-failed")) {
    alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.setAttribute("data-htmx-failed", "");
    form.before(alert);
  }
  const status = event.detail.xhr && event.detail.xhr.status;
  alert.textContent = status ? `${text} (${status})` : text;
};
document.addEventListener("htmx:responseError", htmxFailed);
document.addEventListener("htmx:sendError", htmxFailed);
// Send Django's CSRF token with every HTMX request.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});
